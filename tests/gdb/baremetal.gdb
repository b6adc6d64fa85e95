# baremetal.gdb - gdb-multiarch batch session against prog.elf (run.sh sets $port via -ex).
set pagination off
set confirm off
set height 0
printf "RESULT start-pc %#x\n", $pc
# Single step through the DEC loop: asynchronous interrupts stay out by default.
break spin
continue
set $i = 0
set $invec = 0
while $i < 60
  stepi
  if $pc < (unsigned int)&isa_vectors + 0x100
    set $invec = $invec + 1
  end
  set $i = $i + 1
end
printf "RESULT steps-in-vectors %d\n", $invec
printf "RESULT ticks-after-steps %d\n", ticks
monitor step-irq on
set $i = 0
while $i < 60 && $pc >= (unsigned int)&isa_vectors + 0x100
  stepi
  set $i = $i + 1
end
printf "RESULT irq-step-offset %#x\n", $pc - (unsigned int)&isa_vectors
monitor step-irq off
delete
# Break at a symbol, read and change registers and memory, step.
break add_step
continue
printf "RESULT args %d %d\n", $r3, $r4
set var $r3 = 10
printf "RESULT buffer0 %#x\n", buffer[0]
set var buffer[0] = 0x55
printf "RESULT code-at-bp %#x\n", *(unsigned int *)add_step
printf "RESULT guest-iac1 %#x dac1 %#x\n", $iac1, $dac1
stepi
printf "RESULT after-stepi %#x\n", $pc - (unsigned int)add_step
printf "RESULT r3-after-stepi %d\n", $r3
# Hardware breakpoint, write / read watchpoints.
hbreak touch
watch watched
continue
printf "RESULT hbreak-pc %#x\n", $pc - (unsigned int)touch
continue
printf "RESULT watched-now %d\n", watched
rwatch buffer[1]
continue
printf "RESULT rwatch-hit\n"
delete
continue
