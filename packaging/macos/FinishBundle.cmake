# Install-time script (install(SCRIPT)), run after macdeployqt has put Qt and the other
# libraries into Lookbook.app. It
#   1. checks that lookbook-cli was installed inside the bundle (Contents/MacOS);
#   2. checks that no binary in the bundle still loads a library from outside it and the
#      system (e.g. Homebrew's /opt/homebrew or /usr/local): such an app only runs on the
#      machine that built it; removes run paths (LC_RPATH) that name folders of this machine;
#   3. raises LSMinimumSystemVersion in Info.plist to the newest macOS any bundled binary
#      was built for (Homebrew's libraries are built for the build machine's macOS), so that
#      an older Mac says "needs macOS N" instead of the app crashing at launch;
#   4. signs the bundle (ad hoc by default: enough for Apple silicon to run it; a real
#      identity is needed for Gatekeeper and notarization).
#
# Set by packaging/macos/Packaging.cmake before this runs:
#   LOOKBOOK_BUNDLE           the bundle's path relative to the install prefix (Lookbook.app)
#   LOOKBOOK_CLI_NAME         lookbook-cli's file name
#   LOOKBOOK_SIGN_IDENTITY    codesign identity; "-" signs ad hoc

cmake_policy(VERSION 3.25)   # install scripts start with no policies set

set(_bundle "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${LOOKBOOK_BUNDLE}")
set(_plist "${_bundle}/Contents/Info.plist")

# 1.
if(NOT EXISTS "${_bundle}/Contents/MacOS/${LOOKBOOK_CLI_NAME}")
    message(FATAL_ERROR "${LOOKBOOK_CLI_NAME} is not in ${LOOKBOOK_BUNDLE}/Contents/MacOS: on macOS, "
                        "app/cli/CMakeLists.txt must install it there (see packaging/macos/Packaging.cmake).")
endif()

# Every Mach-O file in the bundle, read once with otool -l: the libraries it loads, its
# run-path entries and the macOS version it was built for.
file(GLOB_RECURSE _candidates LIST_DIRECTORIES false
     "${_bundle}/Contents/MacOS/*" "${_bundle}/Contents/Frameworks/*" "${_bundle}/Contents/PlugIns/*")
set(_outside "")
set(_removed "")
set(_load_commands LC_LOAD_DYLIB LC_LOAD_WEAK_DYLIB LC_REEXPORT_DYLIB LC_LOAD_UPWARD_DYLIB LC_LAZY_LOAD_DYLIB)
set(_newest "0")
set(_newest_file "")
foreach(_file IN LISTS _candidates)
    if(IS_SYMLINK "${_file}" OR _file MATCHES "\\.(plist|prl|h|strings|nib|icns|png|qm|conf)$")
        continue()
    endif()
    execute_process(COMMAND otool -l "${_file}" RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_QUIET)
    if(NOT _rc EQUAL 0 OR NOT _out MATCHES "Load command")
        continue()   # not a Mach-O file
    endif()
    file(RELATIVE_PATH _short "${_bundle}" "${_file}")
    string(REGEX REPLACE "[][;]" "_" _out "${_out}")   # keep the lines a plain CMake list
    string(REPLACE "\n" ";" _lines "${_out}")
    set(_command "")
    foreach(_line IN LISTS _lines)
        # One MATCHES per condition: if() evaluates every MATCHES before AND/OR, and
        # CMAKE_MATCH_1 belongs to the last one.
        if(_line MATCHES "^ *cmd (LC_[A-Z0-9_]+)")
            set(_command "${CMAKE_MATCH_1}")
        elseif(_command IN_LIST _load_commands AND _line MATCHES "^ *name (.+) \\(offset [0-9]+\\)$")
            set(_library "${CMAKE_MATCH_1}")
            if(_library MATCHES "^/" AND NOT _library MATCHES "^/(System/Library|usr/lib)/")
                list(APPEND _outside "${_short} loads ${_library}")
            endif()
        elseif(_command STREQUAL "LC_RPATH" AND _line MATCHES "^ *path (.+) \\(offset [0-9]+\\)$")
            set(_rpath "${CMAKE_MATCH_1}")
            # A folder of the build machine: dyld would look there first on the user's Mac too.
            if(_rpath MATCHES "^/" AND NOT _rpath MATCHES "^/(System/Library|usr/lib)(/|$)"
               AND NOT "${_short}|${_rpath}" IN_LIST _removed)
                list(APPEND _removed "${_short}|${_rpath}")
                message(STATUS "Removing the run path ${_rpath} from ${_short}")
                execute_process(COMMAND install_name_tool -delete_rpath "${_rpath}" "${_file}"
                                ERROR_QUIET COMMAND_ERROR_IS_FATAL ANY)
            endif()
        elseif(_command STREQUAL "LC_BUILD_VERSION" AND _line MATCHES "^ *minos ([0-9.]+)$")
            set(_minos "${CMAKE_MATCH_1}")
        elseif(_command STREQUAL "LC_VERSION_MIN_MACOSX" AND _line MATCHES "^ *version ([0-9.]+)$")
            set(_minos "${CMAKE_MATCH_1}")
        endif()
        if(_minos AND _minos VERSION_GREATER _newest)
            set(_newest "${_minos}")
            set(_newest_file "${_short}")
        endif()
        set(_minos "")
    endforeach()
endforeach()

# 2.
if(_outside)
    list(REMOVE_DUPLICATES _outside)
    list(JOIN _outside "\n  " _report)
    message(FATAL_ERROR "${LOOKBOOK_BUNDLE} still depends on files outside it, so it would only run on this "
                        "machine:\n  ${_report}\nmacdeployqt (run just before) did not bundle them; see "
                        "packaging/macos/Packaging.cmake.")
endif()

# 3.
execute_process(COMMAND /usr/libexec/PlistBuddy -c "Print :LSMinimumSystemVersion" "${_plist}"
                OUTPUT_VARIABLE _declared OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
if(_rc EQUAL 0 AND _newest VERSION_GREATER _declared)
    message(STATUS "LSMinimumSystemVersion: ${_declared} -> ${_newest} (${_newest_file} is built for macOS ${_newest})")
    execute_process(COMMAND /usr/libexec/PlistBuddy -c "Set :LSMinimumSystemVersion ${_newest}" "${_plist}"
                    COMMAND_ERROR_IS_FATAL ANY)
endif()

# 4. Last: any change to a binary or to Info.plist after this breaks the signature.
set(_sign_options --force --deep --sign "${LOOKBOOK_SIGN_IDENTITY}")
if(NOT LOOKBOOK_SIGN_IDENTITY STREQUAL "-")
    list(APPEND _sign_options --options runtime --timestamp)
endif()
execute_process(COMMAND codesign ${_sign_options} "${_bundle}" COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND codesign --verify --deep "${_bundle}" COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "Signed ${LOOKBOOK_BUNDLE} (identity ${LOOKBOOK_SIGN_IDENTITY})")
