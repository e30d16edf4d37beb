#ifndef MOON_SPIN_H
#define MOON_SPIN_H

/* A hint to the CPU that the caller is in a spin-wait loop (x86 PAUSE, ARM YIELD): it saves
   power and leaves the core's other hardware thread the execution units. */
static inline void moon_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
