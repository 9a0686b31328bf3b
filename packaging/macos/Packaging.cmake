# macOS: Lookbook.app, holding the desktop app (Contents/MacOS/Lookbook), lookbook-cli beside
# it, the model in Contents/Resources/models (core/embedding/ResourceLocator looks at
# <exe dir>/../Resources/models), Qt and every other library it loads; delivered as a
# drag-to-Applications disk image (cpack -G DragNDrop).
# Included by packaging/CMakeLists.txt on APPLE, after app/ defined the targets.

set(LOOKBOOK_BUNDLE_NAME "Lookbook")   # -> Lookbook.app
if(NOT LOOKBOOK_MODEL_INSTALL_DIR STREQUAL "${LOOKBOOK_BUNDLE_NAME}.app/Contents/Resources/models")
    message(FATAL_ERROR "LOOKBOOK_MODEL_INSTALL_DIR (${LOOKBOOK_MODEL_INSTALL_DIR}) must be "
                        "${LOOKBOOK_BUNDLE_NAME}.app/Contents/Resources/models, where the app looks for the model")
endif()

if(CMAKE_OSX_DEPLOYMENT_TARGET)
    set(_lookbook_macos_minimum "${CMAKE_OSX_DEPLOYMENT_TARGET}")
else()
    set(_lookbook_macos_minimum "11.0")
endif()
set(LOOKBOOK_MACOS_MINIMUM "${_lookbook_macos_minimum}" CACHE STRING
    "LSMinimumSystemVersion of Lookbook.app (raised at install time if a bundled library needs a newer macOS)")
set(LOOKBOOK_SIGN_IDENTITY "-" CACHE STRING
    "codesign identity for Lookbook.app; - signs ad hoc (runs on Apple silicon, not accepted by Gatekeeper)")

# The bundle: name, identifier, version, icon and Info.plist.
set(_lookbook_icns "${PROJECT_SOURCE_DIR}/resources/icons/lookbook.icns")
target_sources(lookbook PRIVATE "${_lookbook_icns}")
set_source_files_properties("${_lookbook_icns}" TARGET_DIRECTORY lookbook
                            PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
configure_file("${CMAKE_CURRENT_LIST_DIR}/Info.plist.in" "${CMAKE_CURRENT_BINARY_DIR}/Info.plist.in" @ONLY)
set_target_properties(lookbook PROPERTIES
    OUTPUT_NAME "${LOOKBOOK_BUNDLE_NAME}"
    MACOSX_BUNDLE TRUE
    MACOSX_BUNDLE_INFO_PLIST "${CMAKE_CURRENT_BINARY_DIR}/Info.plist.in"
    MACOSX_BUNDLE_BUNDLE_NAME "Lookbook"
    MACOSX_BUNDLE_GUI_IDENTIFIER "io.lookbook.Lookbook"
    MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
    MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
    MACOSX_BUNDLE_ICON_FILE "lookbook.icns"
    MACOSX_BUNDLE_COPYRIGHT "${CPACK_PACKAGE_VENDOR}")

# Qt and the rest: macdeployqt copies the Qt frameworks and plugins and every other non-system
# library the executables load (OpenCV and its dependencies from Homebrew, xxHash) into
# Contents/Frameworks and points the executables at them; -executable= (ADDITIONAL_EXECUTABLES)
# does the same for lookbook-cli, which app/cli/CMakeLists.txt must install into
# Lookbook.app/Contents/MacOS (FinishBundle.cmake checks it).
if(COMMAND qt_generate_deploy_script)   # Qt 6.5+
    qt_generate_deploy_script(TARGET lookbook OUTPUT_SCRIPT _lookbook_qt_deploy CONTENT "
qt_deploy_runtime_dependencies(
    EXECUTABLE \"${LOOKBOOK_BUNDLE_NAME}.app\"
    ADDITIONAL_EXECUTABLES \"${LOOKBOOK_BUNDLE_NAME}.app/Contents/MacOS/$<TARGET_FILE_NAME:lookbook-cli>\"
)")
    install(SCRIPT "${_lookbook_qt_deploy}")
else()
    message(WARNING "Qt ${Qt6_VERSION} lacks qt_generate_deploy_script (Qt 6.5+): Lookbook.app will not "
                    "get Qt and the other libraries, and the check at install time will fail. Use Qt 6.5 or later.")
endif()

# Checks the bundle is self-contained, sets the minimum macOS it really needs, signs it.
install(CODE "
set(LOOKBOOK_BUNDLE [==[${LOOKBOOK_BUNDLE_NAME}.app]==])
set(LOOKBOOK_CLI_NAME [==[$<TARGET_FILE_NAME:lookbook-cli>]==])
set(LOOKBOOK_SIGN_IDENTITY [==[${LOOKBOOK_SIGN_IDENTITY}]==])
")
install(SCRIPT "${CMAKE_CURRENT_LIST_DIR}/FinishBundle.cmake")

# --- CPack -----------------------------------------------------------------------------
# One disk image with everything (the model is its own install component; without this
# DragNDrop would make one image per component).
set(CPACK_MONOLITHIC_INSTALL ON)
set(CPACK_GENERATOR "DragNDrop")
set(CPACK_DMG_VOLUME_NAME "Lookbook")   # the image also holds a shortcut to /Applications (default)
if(CMAKE_OSX_ARCHITECTURES)
    string(REPLACE ";" "-" _lookbook_arch "${CMAKE_OSX_ARCHITECTURES}")
else()
    set(_lookbook_arch "${CMAKE_SYSTEM_PROCESSOR}")
endif()
set(CPACK_PACKAGE_FILE_NAME "Lookbook-${PROJECT_VERSION}-macos-${_lookbook_arch}")
