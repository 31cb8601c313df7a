# SDM 26.4: a VM-entry MSR-load entry for IA32_FS_BASE -> VM-entry failure, exit reason 80000022H
break entry-fail
continue
explain
continue
