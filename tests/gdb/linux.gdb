# linux.gdb - gdb-multiarch batch session against Linux vmlinux (run.sh sets the port).
set pagination off
set confirm off
set height 0
break start_kernel
continue
bt
info registers
x/4i $pc
watch *(unsigned long *)&jiffies
continue
delete
printf "RESULT linux-continue\n"
continue
