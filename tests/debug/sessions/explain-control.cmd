# SDM 26.2.1.1: a pin-based control the capability MSR forbids -> VMfailValid(7)
break entry-fail
continue
explain
continue
