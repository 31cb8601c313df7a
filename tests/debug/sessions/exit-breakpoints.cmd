# VM exits by reason name and number (SDM Appendix C), the exit information
# decoded (SDM 27.2), what changed since the VM entry, who wrote GUEST_RIP.
break vmexit CPUID
break vmexit 30
info breakpoints
continue
explain
delete 1
continue
explain
vmcs EXIT_QUALIFICATION
vmcs diff
break vmentry
continue
where
vmcs history GUEST_RIP
vmcs snapshot
delete
break vmexit HLT VMCALL
trace on
continue
vmcs diff snapshot
info breakpoints
delete
trace off
continue
