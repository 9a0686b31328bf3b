# Install-time script (install(SCRIPT), after the executables are installed): copies the
# DLLs that lookbook.exe and lookbook-cli.exe need besides Qt's and the compiler's (OpenCV,
# xxHash and their own dependencies: protobuf, zlib, libjpeg, libpng, libtiff, libwebp, ...)
# into bin/ beside them. windeployqt deploys only Qt; Windows looks for DLLs in the
# executable's folder first, so nothing else is needed at run time.
#
# Set by packaging/windows/Packaging.cmake before this runs:
#   LOOKBOOK_RUNTIME_EXECUTABLES  the executables' file names in bin/
#   LOOKBOOK_RUNTIME_DIRS         where the DLLs are found (OpenCV's and vcpkg's bin folders)
#   LOOKBOOK_RUNTIME_TOOL, LOOKBOOK_RUNTIME_TOOL_COMMAND   dumpbin (MSVC) or objdump (MinGW)

cmake_policy(VERSION 3.25)   # install scripts start with no policies set

set(_bin "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin")
set(_executables "")
foreach(_name IN LISTS LOOKBOOK_RUNTIME_EXECUTABLES)
    list(APPEND _executables "${_bin}/${_name}")
endforeach()

# Script mode knows no compiler, so say which tool reads the PE imports.
if(LOOKBOOK_RUNTIME_TOOL)
    set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM "windows+pe")
    set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL "${LOOKBOOK_RUNTIME_TOOL}")
    if(LOOKBOOK_RUNTIME_TOOL_COMMAND)
        set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND "${LOOKBOOK_RUNTIME_TOOL_COMMAND}")
    endif()
endif()

# DLL names are compared in lower case. Left out: Windows' own DLLs (API sets, anything under
# C:\Windows), Qt (windeployqt), the MSVC runtime (InstallRequiredSystemLibraries).
file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${_executables}
    DIRECTORIES ${LOOKBOOK_RUNTIME_DIRS}
    PRE_EXCLUDE_REGEXES
        "^api-ms-" "^ext-ms-"
        "^qt6"
        "^(msvcp|vcruntime|concrt|vccorlib)[0-9_]*\\.dll$" "^ucrtbased?\\.dll$"
    POST_EXCLUDE_REGEXES
        "^[A-Za-z]:[/\\\\][Ww][Ii][Nn][Dd][Oo][Ww][Ss][/\\\\]"
    RESOLVED_DEPENDENCIES_VAR _resolved
    UNRESOLVED_DEPENDENCIES_VAR _unresolved
    CONFLICTING_DEPENDENCIES_PREFIX _conflicting)

foreach(_name IN LISTS _conflicting_FILENAMES)
    # The same DLL found in two folders: the first one is installed.
    list(GET _conflicting_${_name} 0 _first)
    message(WARNING "${_name} was found in more than one place (${_conflicting_${_name}}); installing ${_first}")
    list(APPEND _resolved "${_first}")
endforeach()
list(REMOVE_DUPLICATES _resolved)
set(_elsewhere "")
foreach(_dll IN LISTS _resolved)     # those already in bin/ (put there by windeployqt) stay
    get_filename_component(_dir "${_dll}" DIRECTORY)
    if(NOT _dir STREQUAL _bin)
        list(APPEND _elsewhere "${_dll}")
    endif()
endforeach()

if(_unresolved)
    message(WARNING "Lookbook needs DLLs that were not found in ${LOOKBOOK_RUNTIME_DIRS}: ${_unresolved}. "
                    "The installed application will not start on a machine without them.")
endif()
if(_elsewhere)
    file(INSTALL ${_elsewhere} DESTINATION "${_bin}")
else()
    message(STATUS "No DLLs besides Qt's and the compiler's to install (static OpenCV and xxHash?)")
endif()
