# Runs one fuzz target for a bounded time on a fresh copy of its seed corpus: libFuzzer
# adds what it finds to its first corpus folder, and the committed seeds must stay as they are.
# cmake -DFUZZER=<exe> -DSEEDS=<seed dir> -DWORK=<build dir> -DSECONDS=<n> -P RunFuzzer.cmake

foreach(variable FUZZER SEEDS WORK SECONDS)
    if(NOT DEFINED ${variable})
        message(FATAL_ERROR "RunFuzzer.cmake needs -D${variable}=...")
    endif()
endforeach()

file(REMOVE_RECURSE "${WORK}/corpus" "${WORK}/artifacts")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(GLOB seeds "${SEEDS}/*")
if(NOT seeds)
    message(FATAL_ERROR "no seeds in ${SEEDS}")
endif()
file(COPY ${seeds} DESTINATION "${WORK}/corpus")

# -timeout: one input taking longer is a hang; -rss_limit_mb also bounds single allocations.
execute_process(COMMAND "${FUZZER}" -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048
                        "-artifact_prefix=${WORK}/artifacts/" -print_final_stats=1 "${WORK}/corpus"
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    file(GLOB artifacts "${WORK}/artifacts/*")
    message(FATAL_ERROR "${FUZZER} failed (${result}); the failing input: ${artifacts}")
endif()
