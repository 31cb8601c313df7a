# SDM 26.3.1.4: GUEST_RFLAGS bit 1 clear -> VM-entry failure, exit reason 80000021H
break vmexit
continue
where
explain
vmcs EXIT_REASON
continue
