# An exception breakpoint stops before delivery (the exception is pending);
# the next step delivers it through the IDT (SDM 6.12).
break exception #UD
break exception 14
info breakpoints
continue
regs
step
where
x/5xg $rsp
delete
continue
