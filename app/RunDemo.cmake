# Runs Lookbook on the demo catalog: the desktop app where there is a display, otherwise
# the command-line tool (index, then a query), so the demo also works over SSH.
# Called by the run-demo target with GUI, CLI, CATALOG, QUERY and CACHE defined.
if(WIN32 OR APPLE OR DEFINED ENV{DISPLAY} OR DEFINED ENV{WAYLAND_DISPLAY})
    message(STATUS "Starting the desktop app on ${CATALOG}")
    execute_process(COMMAND "${GUI}" "${CATALOG}" --cache "${CACHE}" RESULT_VARIABLE result)
else()
    message(STATUS "No display: running the command-line demo instead (the desktop app needs one)")
    execute_process(COMMAND "${CLI}" index "${CATALOG}" --cache "${CACHE}" RESULT_VARIABLE result)
    if(result EQUAL 0)
        execute_process(COMMAND "${CLI}" query "${CATALOG}" "${QUERY}" --cache "${CACHE}" RESULT_VARIABLE result)
    endif()
endif()
if(NOT result EQUAL 0)
    message(FATAL_ERROR "The demo ended with ${result}")
endif()
