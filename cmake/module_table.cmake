# The module table of docs/architecture.md ("| module | owns | depends on |";
# "depends on": modules separated by commas, each optionally followed by a
# note in parentheses), read so the build can hold the code to it:
#   splitpoint_read_module_table(DOC)  sets SPLITPOINT_MODULES and, per module M,
#                                      SPLITPOINT_DEPENDS_<M> (as the table lists them);
#   splitpoint_allowed_modules(M OUT)  M and every module it depends on, directly or not.
function(splitpoint_read_module_table doc)
  # Line by line as a CMake list: the text's own ';' and brackets would split or join items.
  file(READ ${doc} text)
  string(REGEX REPLACE "[][;]" "," text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  list(FILTER lines INCLUDE REGEX "^\\| [a-z]+ \\|")
  set(modules "")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^\\| ([a-z]+) \\|.*\\| ([^|]*) \\|$")
      message(FATAL_ERROR "${doc}: a module table row without a 'depends on' column: ${line}")
    endif()
    set(module ${CMAKE_MATCH_1})
    if(module STREQUAL "module")  # the header row
      continue()
    endif()
    string(REGEX REPLACE "\\([^)]*\\)" "" depends "${CMAKE_MATCH_2}")  # notes in parentheses
    string(REPLACE "—" "" depends "${depends}")
    string(REPLACE "," ";" depends "${depends}")
    list(TRANSFORM depends STRIP)
    list(REMOVE_ITEM depends "")
    list(APPEND modules ${module})
    set(SPLITPOINT_DEPENDS_${module} "${depends}" PARENT_SCOPE)
  endforeach()
  if(NOT modules)
    message(FATAL_ERROR "${doc}: no module table")
  endif()
  set(SPLITPOINT_MODULES "${modules}" PARENT_SCOPE)
endfunction()

function(splitpoint_allowed_modules module out)
  set(allowed ${module})
  set(queue ${module})
  while(queue)
    list(POP_FRONT queue current)
    foreach(dep IN LISTS SPLITPOINT_DEPENDS_${current})
      if(NOT dep IN_LIST allowed)
        list(APPEND allowed ${dep})
        list(APPEND queue ${dep})
      endif()
    endforeach()
  endwhile()
  set(${out} "${allowed}" PARENT_SCOPE)
endfunction()

# At configure time: each module's library (splitpoint_M; the CLI's
# executable is `splitpoint`) links only splitpoint_ libraries of modules the
# table allows it.
function(splitpoint_check_module_links doc)
  splitpoint_read_module_table(${doc})
  foreach(module IN LISTS SPLITPOINT_MODULES)
    if(module STREQUAL "cli")
      set(target splitpoint)
    else()
      set(target splitpoint_${module})
    endif()
    if(NOT TARGET ${target})
      message(FATAL_ERROR "layering: ${doc} lists module '${module}' but there is no target ${target}")
    endif()
    splitpoint_allowed_modules(${module} allowed)
    get_target_property(links ${target} LINK_LIBRARIES)
    foreach(link IN LISTS links)
      if(link MATCHES "^splitpoint_([a-z]+)$" AND NOT CMAKE_MATCH_1 IN_LIST allowed)
        message(FATAL_ERROR "layering: ${target} links ${link}, but ${doc} lets '${module}' depend on "
                            "${SPLITPOINT_DEPENDS_${module}} only (and what they depend on)")
      endif()
    endforeach()
  endforeach()
endfunction()
