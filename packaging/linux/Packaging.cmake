# Linux: the files a desktop expects (desktop entry, AppStream metadata, icons, man pages,
# Debian copyright and changelog) and the .deb made by CPack:
#
#   cmake --preset release && cmake --build --preset release
#   cd build/release && cpack -G DEB        # -> lookbook_<version>_<arch>.deb
#
# Included by packaging/CMakeLists.txt, after the common CPACK_* settings and before
# include(CPack). See packaging/linux/README.md.

set(LOOKBOOK_LINUX_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(LOOKBOOK_LINUX_BINARY_DIR "${CMAKE_CURRENT_BINARY_DIR}/linux")
set(LOOKBOOK_RESOURCES_DIR "${PROJECT_SOURCE_DIR}/resources")
file(MAKE_DIRECTORY "${LOOKBOOK_LINUX_BINARY_DIR}")

# The release date written into the AppStream metadata, the man pages and the Debian
# changelog: the date of the commit being built, so that the same commit always gives the
# same files (SOURCE_DATE_EPOCH, then today, outside a git checkout).
set(_lookbook_epoch "$ENV{SOURCE_DATE_EPOCH}")
if(NOT _lookbook_epoch)
    find_package(Git QUIET)
    if(GIT_FOUND)
        execute_process(COMMAND "${GIT_EXECUTABLE}" log -1 --format=%ct
                        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                        OUTPUT_VARIABLE _lookbook_epoch OUTPUT_STRIP_TRAILING_WHITESPACE
                        ERROR_QUIET RESULT_VARIABLE _lookbook_git_result)
        if(NOT _lookbook_git_result EQUAL 0)
            set(_lookbook_epoch "")
        endif()
    endif()
endif()
set(_lookbook_saved_epoch "$ENV{SOURCE_DATE_EPOCH}")
if(_lookbook_epoch)
    set(ENV{SOURCE_DATE_EPOCH} "${_lookbook_epoch}") # string(TIMESTAMP) honours it
endif()
string(TIMESTAMP LOOKBOOK_RELEASE_DATE "%Y-%m-%d" UTC)
string(TIMESTAMP LOOKBOOK_RELEASE_YEAR "%Y" UTC)
string(TIMESTAMP LOOKBOOK_RELEASE_DATE_RFC2822 "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(ENV{SOURCE_DATE_EPOCH} "${_lookbook_saved_epoch}")

# --- The installed binaries carry no RPATH -----------------------------------------------
# Everything they link is in the system's library folders; CMake drops the build-tree RPATH
# when installing, and this keeps it so whatever the targets' defaults say.
set_target_properties(lookbook lookbook-cli PROPERTIES INSTALL_RPATH "" INSTALL_RPATH_USE_LINK_PATH OFF)
# Full RELRO (lintian: hardening-no-bindnow); Debian's toolchain already gives relro and PIE.
set_property(TARGET lookbook lookbook-cli APPEND PROPERTY LINK_OPTIONS "LINKER:-z,now")
# Stripped as dh_strip does (lintian: binary-has-unneeded-section): CPACK_STRIP_FILES runs a
# plain strip, which keeps .comment and .note. This runs after app/ has installed them.
if(CMAKE_STRIP)
    install(CODE "set(LOOKBOOK_STRIP \"${CMAKE_STRIP}\")")
    install(CODE [[
        if(CMAKE_INSTALL_DO_STRIP)
            foreach(exe IN ITEMS lookbook lookbook-cli)
                execute_process(COMMAND "${LOOKBOOK_STRIP}" --remove-section=.comment --remove-section=.note
                                        "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/bin/${exe}"
                                COMMAND_ERROR_IS_FATAL ANY)
            endforeach()
        endif()
    ]])
endif()

# Directories the package creates: 0755 whatever the umask of the machine that packs it.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS ${CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS})

# --- Desktop integration ------------------------------------------------------------------
set(LOOKBOOK_APP_ID "io.lookbook.Lookbook") # = QApplication::desktopFileName (app/gui/main.cpp)
install(FILES "${LOOKBOOK_RESOURCES_DIR}/linux/${LOOKBOOK_APP_ID}.desktop"
        DESTINATION share/applications)
configure_file("${LOOKBOOK_RESOURCES_DIR}/linux/${LOOKBOOK_APP_ID}.metainfo.xml.in"
               "${LOOKBOOK_LINUX_BINARY_DIR}/${LOOKBOOK_APP_ID}.metainfo.xml" @ONLY)
install(FILES "${LOOKBOOK_LINUX_BINARY_DIR}/${LOOKBOOK_APP_ID}.metainfo.xml"
        DESTINATION share/metainfo)
foreach(size 16 24 32 48 64 128 256)
    install(FILES "${LOOKBOOK_RESOURCES_DIR}/icons/hicolor/${size}x${size}/apps/lookbook.png"
            DESTINATION "share/icons/hicolor/${size}x${size}/apps")
endforeach()
install(FILES "${LOOKBOOK_RESOURCES_DIR}/icons/lookbook.svg"
        DESTINATION share/icons/hicolor/scalable/apps)

# --- Man pages and Debian documentation, compressed as Debian wants (gzip -9n) -----------
# Made at configure time: they are small, and configure_file reruns CMake when a source
# changes. gzip -n leaves out the name and the time, so the bytes are reproducible.
find_program(LOOKBOOK_GZIP gzip)
set(CPACK_DEBIAN_PACKAGE_VERSION "${CPACK_PACKAGE_VERSION}") # native: no Debian revision
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
function(lookbook_install_gzipped template output destination)
    configure_file("${template}" "${LOOKBOOK_LINUX_BINARY_DIR}/${output}" @ONLY)
    execute_process(COMMAND "${LOOKBOOK_GZIP}" -9 -n -c "${LOOKBOOK_LINUX_BINARY_DIR}/${output}"
                    OUTPUT_FILE "${LOOKBOOK_LINUX_BINARY_DIR}/${output}.gz"
                    RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "gzip ${output}: ${result}")
    endif()
    install(FILES "${LOOKBOOK_LINUX_BINARY_DIR}/${output}.gz" DESTINATION "${destination}")
endfunction()
if(LOOKBOOK_GZIP)
    lookbook_install_gzipped("${LOOKBOOK_LINUX_SOURCE_DIR}/lookbook.1" lookbook.1 share/man/man1)
    lookbook_install_gzipped("${LOOKBOOK_LINUX_SOURCE_DIR}/lookbook-cli.1" lookbook-cli.1 share/man/man1)
    lookbook_install_gzipped("${LOOKBOOK_LINUX_SOURCE_DIR}/changelog.in" changelog share/doc/lookbook)
else()
    message(WARNING "gzip not found: the man pages and the changelog are not installed")
endif()
configure_file("${LOOKBOOK_LINUX_SOURCE_DIR}/copyright.in" "${LOOKBOOK_LINUX_BINARY_DIR}/copyright" @ONLY)
install(FILES "${LOOKBOOK_LINUX_BINARY_DIR}/copyright" DESTINATION share/doc/lookbook)

# --- The Debian package -------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT") # lookbook_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # dpkg-shlibdeps writes Depends from the binaries
# WebP and TIFF thumbnails and previews are read by Qt's image plugins (qt6-image-formats-plugins);
# JPEG, PNG and BMP need nothing more.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-image-formats-plugins")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The extended description: CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as the
# synopsis, indents it and marks the empty lines.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Lookbook is a visual fashion recommender for the desktop. Point it at a
folder of product photos, give it any picture (a catalog item, a street
photo, a screenshot) and it shows the catalog items that look most like it.

Images are compared through the embeddings of a pretrained ResNet-50
network (ImageNet weights, run by OpenCV DNN on the CPU), cached next to
the catalog and updated incrementally. The package holds the desktop app
(lookbook), the command-line tool (lookbook-cli: index, query, eval) and
the model.")
