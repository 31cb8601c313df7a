# Code breakpoints in the guest, step and next, a step through a VM exit,
# registers, memory, watchpoints and VMWRITE breakpoints.
break dbg_guest_call
continue
where
next
step
where
x/3i dbg_guest_out
x/2xw g:dbg_exit_count
watch dbg_exit_count w 4
continue
x/1dw dbg_exit_count
delete
break vmwrite GUEST_RIP
continue
vmcs GUEST_RIP
delete
continue
