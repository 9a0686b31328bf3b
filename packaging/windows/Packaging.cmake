# Windows: lookbook.exe and lookbook-cli.exe in bin/ with Qt, OpenCV and the MSVC runtime
# beside them, and the model in bin/models/ (core/embedding/ResourceLocator looks at <exe dir>/models).
# Installers: an NSIS setup program (cpack -G NSIS) and a ZIP of the same tree.
# Included by packaging/CMakeLists.txt on WIN32, after app/ defined the targets.

# lookbook.exe's icon and version information.
if(CMAKE_RC_COMPILER)
    set(LOOKBOOK_ICO "${PROJECT_SOURCE_DIR}/resources/icons/lookbook.ico")
    configure_file("${CMAKE_CURRENT_LIST_DIR}/lookbook.rc.in" "${CMAKE_CURRENT_BINARY_DIR}/lookbook.rc" @ONLY)
    target_sources(lookbook PRIVATE "${CMAKE_CURRENT_BINARY_DIR}/lookbook.rc")
else()
    message(WARNING "No resource compiler: lookbook.exe gets no icon and no version information")
endif()

# The MSVC runtime (msvcp140.dll, vcruntime140*.dll, ...) beside the executables, so that
# the machine needs no Visual C++ Redistributable.
set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION bin)
include(InstallRequiredSystemLibraries)

# Qt: windeployqt copies the Qt DLLs into bin/, the plugins into plugins/ and writes bin/qt.conf.
# It deploys what lookbook.exe needs; lookbook-cli.exe needs a subset of it (Core, Concurrent).
if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
    qt_generate_deploy_app_script(TARGET lookbook OUTPUT_SCRIPT _lookbook_qt_deploy
        NO_UNSUPPORTED_PLATFORM_ERROR NO_TRANSLATIONS NO_COMPILER_RUNTIME)
    install(SCRIPT "${_lookbook_qt_deploy}")
elseif(COMMAND qt_generate_deploy_app_script)   # Qt 6.3, 6.4
    qt_generate_deploy_app_script(TARGET lookbook FILENAME_VARIABLE _lookbook_qt_deploy
        NO_UNSUPPORTED_PLATFORM_ERROR)
    install(SCRIPT "${_lookbook_qt_deploy}")
else()
    message(WARNING "Qt ${Qt6_VERSION} has no qt_generate_deploy_app_script (Qt 6.3+): the installers "
                    "will lack Qt. Build them with Qt 6.5 or later.")
endif()

# Everything else the executables load (OpenCV, xxHash and their dependencies): resolved at
# install time from the folders where those libraries' DLLs are.
set(_lookbook_dll_dirs "")
foreach(_lib IN LISTS OpenCV_LIBS)
    if(TARGET ${_lib})
        foreach(_property IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_RELWITHDEBINFO
                          IMPORTED_LOCATION_MINSIZEREL IMPORTED_LOCATION)
            get_target_property(_location ${_lib} ${_property})
            if(_location)
                get_filename_component(_dir "${_location}" DIRECTORY)
                list(APPEND _lookbook_dll_dirs "${_dir}")
            endif()
        endforeach()
    endif()
endforeach()
if(XXHASH_PREFIX)
    list(APPEND _lookbook_dll_dirs "${XXHASH_PREFIX}/bin")
endif()
if(VCPKG_INSTALLED_DIR AND VCPKG_TARGET_TRIPLET)
    list(APPEND _lookbook_dll_dirs "${VCPKG_INSTALLED_DIR}/${VCPKG_TARGET_TRIPLET}/bin")
endif()
list(REMOVE_DUPLICATES _lookbook_dll_dirs)

set(_lookbook_runtime_tool "")
set(_lookbook_runtime_tool_command "")
if(MSVC)
    get_filename_component(_cl_dir "${CMAKE_CXX_COMPILER}" DIRECTORY)
    find_program(LOOKBOOK_DUMPBIN dumpbin HINTS "${_cl_dir}" DOC "dumpbin, to list the DLLs the executables import")
    mark_as_advanced(LOOKBOOK_DUMPBIN)
    set(_lookbook_runtime_tool dumpbin)
    if(LOOKBOOK_DUMPBIN)
        set(_lookbook_runtime_tool_command "${LOOKBOOK_DUMPBIN}")
    endif()
elseif(CMAKE_OBJDUMP)
    set(_lookbook_runtime_tool objdump)
    set(_lookbook_runtime_tool_command "${CMAKE_OBJDUMP}")
endif()

install(CODE "
set(LOOKBOOK_RUNTIME_EXECUTABLES [==[$<TARGET_FILE_NAME:lookbook>;$<TARGET_FILE_NAME:lookbook-cli>]==])
set(LOOKBOOK_RUNTIME_DIRS [==[${_lookbook_dll_dirs}]==])
set(LOOKBOOK_RUNTIME_TOOL [==[${_lookbook_runtime_tool}]==])
set(LOOKBOOK_RUNTIME_TOOL_COMMAND [==[${_lookbook_runtime_tool_command}]==])
")
install(SCRIPT "${CMAKE_CURRENT_LIST_DIR}/InstallRuntimeDlls.cmake")

# --- CPack -----------------------------------------------------------------------------
# One package with everything (the model is its own install component, but the application
# is useless without it): no component pages in the installer.
set(CPACK_MONOLITHIC_INSTALL ON)
set(CPACK_GENERATOR "NSIS;ZIP")
set(CPACK_PACKAGE_FILE_NAME "Lookbook-${PROJECT_VERSION}-windows-x64")
if(NOT CMAKE_SIZEOF_VOID_P EQUAL 8)
    set(CPACK_PACKAGE_FILE_NAME "Lookbook-${PROJECT_VERSION}-windows-x86")
endif()
# Values are written to CPackConfig.cmake as they are (backslashes, $), not re-parsed.
set(CPACK_VERBATIM_VARIABLES ON)

# Start menu entry "Lookbook" for bin\lookbook.exe (CPACK_NSIS_EXECUTABLES_DIRECTORY is bin).
set(CPACK_PACKAGE_EXECUTABLES "lookbook" "Lookbook")
set(CPACK_NSIS_PACKAGE_NAME "Lookbook")
set(CPACK_NSIS_DISPLAY_NAME "Lookbook")
# A key without the version, so that a newer installer finds and removes an older version.
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "Lookbook")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MODIFY_PATH OFF)                       # no "add to PATH" page
set(CPACK_NSIS_IGNORE_LICENSE_PAGE ON)                # no license file yet
set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
set(CPACK_NSIS_COMPRESSOR "/SOLID lzma")
file(TO_NATIVE_PATH "${PROJECT_SOURCE_DIR}/resources/icons/lookbook.ico" _lookbook_ico_native)
set(CPACK_NSIS_MUI_ICON "${_lookbook_ico_native}")
set(CPACK_NSIS_MUI_UNIICON "${_lookbook_ico_native}")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\lookbook.exe")   # the icon in Apps & features
set(CPACK_NSIS_URL_INFO_ABOUT "${CPACK_PACKAGE_HOMEPAGE_URL}")
set(CPACK_NSIS_CONTACT "${CPACK_PACKAGE_CONTACT}")
