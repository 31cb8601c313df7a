# Thin wrapper over CMake: the README's two commands.
#   make run   build (release) and boot the sample guests, showing their output
#   make test  build with ASan+UBSan (Debug) and run every test
BUILD_RUN  ?= build
BUILD_TEST ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all run test deps bench clean

all: $(BUILD_RUN)/vmxsim

deps:
	@tools/install-deps.sh

$(BUILD_RUN)/vmxsim: deps
	@cmake -S . -B $(BUILD_RUN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_RUN) -j $(JOBS)

run: $(BUILD_RUN)/vmxsim
	@echo "== vmxsim run hello.elf (ELF64 direct boot)"
	@cd $(BUILD_RUN)/guests && ../vmxsim run hello.elf --append "hello=1" --stats; \
	  echo "== exit status $$? (guest code 0 -> status 1)"
	@echo "== vmxsim run hello-multiboot.elf (Multiboot v1, 32-bit entry)"
	@cd $(BUILD_RUN)/guests && ../vmxsim run hello-multiboot.elf --append "console=ttyS0" --stats; \
	  echo "== exit status $$? (guest code 0 -> status 1)"
	@echo "== vmxsim run hv-tiny.elf (a hypervisor and its 64-bit guest)"
	@cd $(BUILD_RUN)/guests && ../vmxsim run hv-tiny.elf --stats; \
	  echo "== exit status $$? (guest status 0 -> status 1)"
	@echo "== vmxsim run hv-nest.elf --module hv-tiny.elf (hv-nest runs hv-tiny with VMX virtualized)"
	@cd $(BUILD_RUN)/guests && ../vmxsim run hv-nest.elf --module hv-tiny.elf --stats; \
	  echo "== exit status $$? (hv-tiny's status 0 -> status 1)"

test: deps
	@cmake -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=Debug -DVMXSIM_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_TEST) -j $(JOBS)
	@cd $(BUILD_TEST) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_RUN) $(BUILD_TEST)
