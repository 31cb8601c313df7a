# vmxsim_add_guest(): build a freestanding guest ELF that runs inside vmxsim.
#
#   vmxsim_add_guest(<name> <source>... [LINKER_SCRIPT <file>] [MULTIBOOT]
#                    [OUTPUT_DIRECTORY <dir>])
#
# Creates the executable target guest_<name> ('-' in <name> becomes '_') and
# the file <dir>/<name>.elf, <dir> defaulting to ${CMAKE_BINARY_DIR}/guests.
#
# Default (direct-boot protocol, see include/vmxsim/boot_info.h): ELF64 linked
# by guests/lib/link64.ld at 1 MiB; the runtime's _start (guests/lib/entry64.S)
# calls  int guest_main(const VmxsimBootInfo *)  and exits with its result.
#
# MULTIBOOT (Multiboot v1): the sources get guests/hello-multiboot/multiboot.S
# added (header + 32-bit entry that switches to 64-bit mode and calls
#   int guest_mb_main(uint32_t mb_info)), the default linker script becomes
# guests/hello-multiboot/link.ld, the ELF64 is linked as <name>.elf64 and
# converted with objcopy -O elf32-i386 into <name>.elf.
#
# Every guest links guest_lib (serial, printf, exit, string functions) and gets
# the include paths guests/lib/include ("guest/printf.h") and include/
# ("vmxsim/boot_info.h").  Add more with target_* commands on guest_<name>.

set(VMXSIM_GUESTS_DIR ${CMAKE_CURRENT_LIST_DIR} CACHE INTERNAL "guests/ source directory")

# Compile and link flags for everything that runs inside the simulator.
if(NOT TARGET guest_flags)
  add_library(guest_flags INTERFACE)
  target_compile_options(guest_flags INTERFACE
    -ffreestanding -fno-builtin -nostdlib -mno-red-zone -fno-pic -fno-pie
    -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables
    -fno-unwind-tables -mno-sse -mno-sse2 -mno-mmx -mno-80387 -mgeneral-regs-only
    # gcc turns byte loops into memset/memcpy calls even under -fno-builtin;
    # inside string.c that would recurse forever.
    -fno-tree-loop-distribute-patterns
    -O2 -Wall -Wextra -Werror)
  target_link_options(guest_flags INTERFACE
    -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096
    -Wl,-z,noexecstack -Wl,--fatal-warnings)
  get_filename_component(vmxsim_include_dir ${VMXSIM_GUESTS_DIR}/../include ABSOLUTE)
  target_include_directories(guest_flags INTERFACE
    ${VMXSIM_GUESTS_DIR}/lib/include ${vmxsim_include_dir})
endif()

# Properties shared by guest_lib and every guest executable.
function(vmxsim_guest_target_defaults target)
  target_link_libraries(${target} PRIVATE guest_flags)
  set_target_properties(${target} PROPERTIES
    POSITION_INDEPENDENT_CODE OFF
    INTERPROCEDURAL_OPTIMIZATION OFF
    C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
endfunction()

function(vmxsim_add_guest name)
  cmake_parse_arguments(PARSE_ARGV 1 G "MULTIBOOT" "LINKER_SCRIPT;OUTPUT_DIRECTORY" "")
  set(sources ${G_UNPARSED_ARGUMENTS})
  if(NOT sources)
    message(FATAL_ERROR "vmxsim_add_guest(${name}): no sources")
  endif()
  string(REPLACE "-" "_" target "guest_${name}")
  if(NOT G_OUTPUT_DIRECTORY)
    set(G_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/guests)
  endif()
  if(G_MULTIBOOT)
    list(APPEND sources ${VMXSIM_GUESTS_DIR}/hello-multiboot/multiboot.S)
    set(default_script ${VMXSIM_GUESTS_DIR}/hello-multiboot/link.ld)
    set(suffix ".elf64")
  else()
    set(default_script ${VMXSIM_GUESTS_DIR}/lib/link64.ld)
    set(suffix ".elf")
  endif()
  if(NOT G_LINKER_SCRIPT)
    set(G_LINKER_SCRIPT ${default_script})
  endif()
  get_filename_component(script ${G_LINKER_SCRIPT} ABSOLUTE)

  add_executable(${target} ${sources})
  vmxsim_guest_target_defaults(${target})
  target_link_libraries(${target} PRIVATE guest_lib)
  target_link_options(${target} PRIVATE -T ${script})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name} SUFFIX ${suffix}
    RUNTIME_OUTPUT_DIRECTORY ${G_OUTPUT_DIRECTORY}
    LINK_DEPENDS ${script}
    LINKER_LANGUAGE C) # also for assembly-only guests: link with gcc's flags

  if(G_MULTIBOOT)
    # As real multiboot kernels are built: link ELF64, ship ELF32 (the loader
    # reads 32-bit program headers; all addresses lie below 4 GiB).
    set(elf32 ${G_OUTPUT_DIRECTORY}/${name}.elf)
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${VMXSIM_GUEST_OBJCOPY} -O elf32-i386 $<TARGET_FILE:${target}> ${elf32}
      COMMENT "objcopy -O elf32-i386 -> ${name}.elf"
      VERBATIM)
    set_property(TARGET ${target} APPEND PROPERTY ADDITIONAL_CLEAN_FILES ${elf32})
  endif()
endfunction()

if(CMAKE_OBJCOPY)
  set(VMXSIM_GUEST_OBJCOPY ${CMAKE_OBJCOPY} CACHE INTERNAL "objcopy for guest images")
else()
  find_program(VMXSIM_GUEST_OBJCOPY_PROGRAM objcopy REQUIRED)
  set(VMXSIM_GUEST_OBJCOPY ${VMXSIM_GUEST_OBJCOPY_PROGRAM} CACHE INTERNAL "objcopy for guest images")
endif()
