# SDM 26.2.2: HOST_CR4 without CR4.VMXE (IA32_VMX_CR4_FIXED0) -> VMfailValid(8)
break entry-fail
continue
explain
continue
