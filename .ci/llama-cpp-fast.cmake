# Trims the llama-cpp-python build without patching its sdist. Pass it as
#   CMAKE_ARGS="... -DCMAKE_PROJECT_INCLUDE=/abs/path/to/this/file"
# CMake includes it right after every project() call of the build.
if(PROJECT_NAME STREQUAL "llama.cpp")
  # The bindings load libllama and libggml* only. llama-cpp-python's CMakeLists FORCEs
  # LLAMA_BUILD_COMMON ON in the cache; a normal variable shadows it, so common/ (and its
  # cpp-httplib) is never added.
  set(LLAMA_BUILD_COMMON OFF)
  # libllama is bookkeeping (graphs, KV cache, vocab); the math is in ggml, which keeps -O3.
  set(CMAKE_CXX_FLAGS_RELEASE "-O1 -DNDEBUG")
  set(CMAKE_C_FLAGS_RELEASE "-O1 -DNDEBUG")
  # Unity-build all of libllama (upstream does so for src/models only), 8 files a batch.
  function(_mij_unity_llama)
    if(NOT TARGET llama)
      return()
    endif()
    get_target_property(_srcs llama SOURCES)
    set(_abs "")
    foreach(_s IN LISTS _srcs)
      if(IS_ABSOLUTE "${_s}")
        list(APPEND _abs "${_s}")
      else()
        list(APPEND _abs "${CMAKE_CURRENT_SOURCE_DIR}/src/${_s}")
      endif()
    endforeach()
    set_source_files_properties(${_abs} DIRECTORY src PROPERTIES SKIP_UNITY_BUILD_INCLUSION OFF)
    set_target_properties(llama PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endfunction()
  cmake_language(DEFER CALL _mij_unity_llama)
elseif(PROJECT_NAME STREQUAL "ggml")
  set(CMAKE_CXX_FLAGS_RELEASE "-O3 -DNDEBUG")
  set(CMAKE_C_FLAGS_RELEASE "-O3 -DNDEBUG")
endif()
