# Warnings for Mandate's own targets only; dependencies and consumers are left alone.
function(mandate_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                             # Options structs are meant to be filled with designated
                                             # initialisers naming only what differs from the defaults.
                                             -Wno-missing-field-initializers)
    if(MANDATE_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
