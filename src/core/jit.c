/* SPDX-License-Identifier: MIT */
/*
 * jit.c - the second engine: decoded blocks translated to x86-64.
 *
 * The translator works on the decoded blocks of block.c (same decoder,
 * same keys, same invalidation) and emits, per guest instruction, either
 * host code for the common integer ops or a call to the interpreter's
 * exec() for everything else - so every rare case, every exit and every
 * FP op has exactly the interpreter's semantics. docs/jit.md has the
 * design; in short:
 *
 *   rbx  struct core *          (guest registers at [rbx + offset]; the
 *                               budget at [rbx + jit_left] across calls)
 *   r11  the budget left, biased (caller-saved: kept across calls by hand)
 *   r10d CR, cached like the GPRs (reloaded after every call)
 *   rbp, r12, r13, r8, r9  the block's five most used GPRs (written back on the way out)
 *   r14  &c->fast[kmode][0][0]  (the data fast cache of the current mode)
 *   r15d EA of the first instruction of the running block
 *
 * Loads and stores look up the fast cache inline and fall back to exec()
 * on a miss, before anything changed. A block ends in a branch or falls
 * through; a target inside the same 4 KiB page is chained by a direct
 * jump, patched once the target is translated (its physical address is
 * known when translating, because a page's EA and PA share the low 12
 * bits and the translation cannot change while the core runs: every
 * instruction that could change it exits); a chain enters after the
 * target's register loads when it can (chain_entry). Killing a block
 * turns its entry points into jumps out, so no chain runs stale code.
 * A direct branch to another page is a guarded chain (emit_xchain): a
 * direct jump taken while the fetch fast cache maps the target EA where
 * it did when patched. Other branches call one shared dispatch routine
 * (an EA-keyed jump cache) and jump where it says. The budget is checked
 * at every chain and dispatch, the event word at backward same-page
 * chains only.
 */
#include "core/jit.h"

#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/internal.h"
#include "core/fpu.h"
#include "core/x86enc.h"

/*
 * A jump-cache slot: the top bits of EA times a Fibonacci constant. Hot
 * code 2^n bytes apart (the low bits alone: 1.4M misses in cpu.sh) spreads
 * (0.38M).
 */
#define JC_MUL 0x9e3779b1u
static inline unsigned jc_slot(gva_t ea)
{
	return (uint32_t)(ea * JC_MUL) >> (32 - CORE_JC_BITS);
}

_Static_assert(sizeof(struct core_jc_entry) == 16, "the dispatch code scales the slot index by 16");
_Static_assert(offsetof(struct core, fp_lazy_keep) == offsetof(struct core, fp_lazy) + 4,
	       "emit_fp_arith writes both with one store");
_Static_assert(sizeof(struct core_fast_entry) == 16, "emit_fast scales the slot index by 16");

/*
 * Host CPU features, probed once per process (pthread_once: several VMs may
 * start their JITs on their own threads at the same time) and read-only after.
 * The host has MOVBE (CPUID 1 ECX bit 22): loads and stores swap bytes in one instruction.
 */
static bool have_movbe;
/* FMA3 and AVX usable: the multiply-adds translate to vfmadd/vfmsub (emit_fp_arith). */
static bool have_fma;
static pthread_once_t host_probed = PTHREAD_ONCE_INIT;

static void probe_host(void)
{
	unsigned a, b, cx, d;

	have_movbe = __get_cpuid(1, &a, &b, &cx, &d) && (cx >> 22 & 1);
	have_fma = __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx");
}

/* ---- x86-64 encoding: core/x86enc.h; operands at [rbx + offset] ------- */

#define OFF(field) ((int32_t)offsetof(struct core, field))
#define GPR(r) (OFF(gpr) + 4 * (int32_t)(r))

static void ld32(struct emit *e, int reg, int32_t off) { mem(e, 0, 0, 0x8b, 1, reg, RBX, -1, 0, off); }
static void st32(struct emit *e, int32_t off, int reg) { mem(e, 0, 0, 0x89, 1, reg, RBX, -1, 0, off); }
static void alu_rm(struct emit *e, int alu, int reg, int32_t off)
{
	mem(e, 0, 0, (unsigned)alu * 8 + 3, 1, reg, RBX, -1, 0, off);
}
/* op dword [rbx + off], imm */
static void alu_mi(struct emit *e, int alu, int32_t off, uint32_t imm)
{
	mem(e, 0, 0, alu_imm_op(imm), 1, alu, RBX, -1, 0, off);
	alu_imm(e, imm);
}
/* lea reg32, [r15 + disp]: an EA relative to the block's start. */
static void lea_pc(struct emit *e, int reg, int32_t disp) { mem(e, 0, 0, 0x8d, 1, reg, R15, -1, 0, disp); }

/*
 * The budget lives in r11, biased: instructions left minus BLK_MAX_INSNS,
 * so "the next block fits" is "not negative" and a chain's sub sets the
 * flags it tests. r11 is caller-saved: code that calls C keeps it in
 * c->jit_left meanwhile (budget_save/budget_load), as does the exit.
 */
static void budget_op(struct emit *e, int alu, int32_t imm)
{
	alu_ri64(e, alu, R11, imm);
}

static void budget_save(struct emit *e) { mem(e, 0, 1, 0x89, 1, R11, RBX, -1, 0, OFF(jit_left)); }
static void budget_load(struct emit *e) { mem(e, 0, 1, 0x8b, 1, R11, RBX, -1, 0, OFF(jit_left)); }

/* ---- translation -------------------------------------------------------- */

/* Called from translated code for every op it does not translate (and slow paths). */
static int jit_exec(struct core *c, const struct insn *i, uint32_t pc)
{
	int x;

	c->pc = pc;
	x = core_exec_insn(c, i);
	if (x == X_EXIT) {
		c->exit.insn = i->word;
		return 1;
	}
	return x == X_BRANCH || c->code_changed ? 2 : 0;
}

/*
 * Called from translated code for FP arithmetic without Rc: the FPU's
 * fast path in place; 1 when it declines (nothing changed: exec() the
 * instruction). With no exception enabled in the FPSCR (VE OE UE ZE XE:
 * Linux's default) none can become a program interrupt, so the result
 * needs no more than the fast path's commit.
 */
#define FPSCR_ENABLES 0xf8u

static int jit_fp(struct core *c, uint32_t word)
{
	enum fpu_result res;

	if (c->fpscr & FPSCR_ENABLES)
		return 1;
	return !fpu_exec_fast(c, word, &res);
}

/* An out-of-line slow path: where it jumps from and where it resumes. */
struct slow {
	uint8_t *from;          /* the jcc to patch */
	const uint8_t *resume;  /* where the fast path ends */
	unsigned k;             /* instruction index */
	uint32_t dirty;         /* the dirty GPRs at the jump (stored before exec()) */
	bool cr_dirty;          /* and whether CR is */
	int so_shift;           /* >= 0: not exec() but XER[SO] into CR bit so_shift (crf_pre) */
};

struct tr {
	struct emit e;
	struct core *c;
	struct block *b;
	const struct insn *ins;
	struct slow slow[5 * BLK_MAX_INSNS];
	unsigned n_slow;
	unsigned first_slow; /* the current instruction's first slow record */
	int8_t host[32];     /* guest GPR -> host register caching it, or -1 */
	uint32_t dirty;      /* cached GPRs written since memory was last updated */
	bool cr_dirty;       /* r10d (CR) written since memory was last updated */
	const uint8_t *body; /* the code after the loads of CR and the cache registers */
	bool self_loop;      /* the block branches to its own start (emit_loop) */
	int flags_crf;       /* the host flags hold the comparison that set this CR field, or -1 */
	bool flags_sign;     /* (signed or unsigned), for the next instruction only */
	int crf_lazy;        /* that field is not in r10d yet (crf_can_wait), or -1 */
	unsigned k;          /* the instruction being translated */
	int ca_edi;          /* the instruction that finds XER[CA] in edi (emit_set_ca), or -1 */
};

/* The host registers that cache guest GPRs (see ldg). */
static const int cache_regs[BLK_CACHE_REGS] = { RBP, R12, R13, R8, R9 };

/* The guest GPR in each cache register, from host[] (see block.jit_map). */
static void cache_map(const int8_t host[32], int8_t map[BLK_CACHE_REGS])
{
	for (unsigned h = 0; h < BLK_CACHE_REGS; h++) {
		map[h] = -1;
		for (unsigned r = 0; r < 32; r++)
			if (host[r] == cache_regs[h])
				map[h] = (int8_t)r;
	}
}

/* Where a chain from code whose cache registers hold map[] enters block to. */
static const uint8_t *chain_entry(const int8_t map[BLK_CACHE_REGS], const struct block *to)
{
	for (unsigned h = 0; h < BLK_CACHE_REGS; h++)
		if (to->jit_map[h] >= 0 && to->jit_map[h] != map[h])
			return to->jit + CR_LOAD_BYTES;
	return to->jit + to->jit_body;
}

/*
 * Called by translated code that leaves for c->pc: from the dispatch
 * routine (an indirect or cross-page branch; from NULL) or an unpatched
 * chain (from the block being left, whose link hint it uses): the
 * translation to continue with, or NULL for the dispatcher. It never
 * builds or flushes (the caller's code must survive): only blocks that
 * exist are found, translated when hot and there is room.
 */
static const uint8_t *jit_next(struct core *c, struct block *from)
{
	struct block_cache *bc = block_cache(c);
	gva_t pc = c->pc;
	const struct core_fast_entry *f =
		&c->fast[c->ctx.kmode][CORE_ACC_FETCH][(pc >> 12) & (CORE_FAST_SIZE - 1)];
	struct block *b;
	unsigned slot;
	gpa_t pa;

	if (f->tag != ((pc & ~0xfffu) | c->fast_key[CORE_ACC_FETCH]) || (pc & 3))
		return NULL;
	pa = (gpa_t)(f->addend + pc - (uintptr_t)c->ram);
	if (from) {
		slot = pa != from->pa + 4ull * from->n;
		b = &bc->blk[from->link[slot]];
	}
	if (!from || b->pa != pa) {
		b = block_find(c, pa);
		if (!b)
			return NULL;
		if (from && from->pa != BLK_DEAD)
			from->link[slot] = (uint32_t)(b - bc->blk);
	}
	if (!b->jit && (++b->execs < JIT_HOT || !jit_compile(c, b)))
		return NULL;
	c->jit_block = (uint32_t)(b - bc->blk);
	c->jc[jc_slot(pc)] = (struct core_jc_entry){ .tag = c->jc_hi | pc, .code = b->jit };
	return b->jit;
}

/*
 * jit_next() for a same-page direct branch whose jump is not patched yet
 * (emit_goto); lit is the literal after its call, 9 bytes after the jump's
 * rel32: patch it to the translation found.
 */
static const uint8_t *jit_chain(struct core *c, struct block *from, uint8_t *lit)
{
	const uint8_t *code = jit_next(c, from);

	if (code) {
		const uint8_t *to = chain_entry(from->jit_map, &block_cache(c)->blk[c->jit_block]);
		int32_t rel = (int32_t)(to - (lit - 5));

		memcpy(lit - 9, &rel, 4);
	}
	return code;
}

/*
 * jit_next() for a chain to another page (emit_xchain) whose guard failed
 * or which is not patched yet; lit is the literal after its call. Patches
 * the chain to the translation found and returns it, or NULL.
 */
static const uint8_t *jit_xchain(struct core *c, struct block *from, uint8_t *lit)
{
	const uint8_t *code = jit_next(c, from);

	if (code && from->pa != BLK_DEAD) {
		const struct block *to = &block_cache(c)->blk[c->jit_block];
		uint64_t host = (uint64_t)(uintptr_t)(c->ram + to->pa);
		int32_t rel = (int32_t)(chain_entry(from->jit_map, to) - (lit - 5));
		uint8_t *imm;

		memcpy(&imm, lit + 8, sizeof(imm));
		memcpy(imm, &host, 8);
		memcpy(lit - 9, &rel, 4);
	}
	return code;
}

/*
 * The shared dispatch code (one copy, made by jit_init): called (not
 * jumped to) with the target EA in esi and the budget counted; returns
 * the translation for that EA in rax (r15d
 * set), found in the jump cache inline or by jit_next(), for the
 * caller's own `jmp rax`, or leaves with c->pc = the EA. Each site having
 * its own indirect jump lets the host predict each one apart; c->pc is
 * stored only off the fast path.
 */
static void emit_dispatch_stub(struct emit *e, struct core_jit *j)
{
	uint8_t *fail, *none, *miss;

	/*
	 * No event check: the budget brings the core back to the run loop
	 * within RUN_BUDGET instructions anyway, and every loop that does not
	 * dispatch has a backward chain, which checks.
	 */
	budget_op(e, ALU_CMP, 0);
	fail = jcc_fwd(e, CC_L);
	/* inline: the jump cache, for the EA in this context and generation */
	rr(e, 0, 0, 0x69, 1, RCX, RSI); /* imul ecx, esi, JC_MUL */
	b4(e, JC_MUL);
	sh_ri(e, SH_SHR, RCX, 32 - CORE_JC_BITS);
	sh_ri(e, SH_SHL, RCX, 4);
	mem(e, 0, 1, 0x8b, 1, RDX, RBX, -1, 0, OFF(jc_hi));  /* mov rdx, [jc_hi] */
	rr(e, 0, 1, 0x09, 1, RSI, RDX);                      /* or rdx, rsi (esi's upper half is 0) */
	mem(e, 0, 1, 0x3b, 1, RDX, RBX, RCX, 0, OFF(jc) + (int32_t)offsetof(struct core_jc_entry, tag));
	miss = jcc_fwd(e, CC_NE);
	mem(e, 0, 1, 0x8b, 1, RAX, RBX, RCX, 0, OFF(jc) + (int32_t)offsetof(struct core_jc_entry, code));
	mov_rr(e, R15, RSI);
	b1(e, 0xc3); /* ret: the caller jumps to rax */
	patch(e, miss, e->p);
	st32(e, OFF(pc), RSI);
	mov_rr64(e, RDI, RBX);
	alu_rr(e, ALU_XOR, RSI, RSI); /* from: none (the block is found by its PA) */
	budget_save(e);
	alu_ri64(e, ALU_SUB, RSP, 8); /* the call into here left the stack 8 off */
	call_abs(e, (const void *)jit_next);
	alu_ri64(e, ALU_ADD, RSP, 8);
	budget_load(e);
	rr(e, 0, 1, 0x85, 1, RAX, RAX); /* test rax, rax */
	none = jcc_fwd(e, CC_E);
	ld32(e, R15, OFF(pc));
	b1(e, 0xc3);
	patch(e, fail, e->p);
	st32(e, OFF(pc), RSI);
	patch(e, none, e->p); /* (jit_next() found nothing: c->pc is stored) */
	alu_ri64(e, ALU_ADD, RSP, 8); /* leave: drop the caller's return address */
	alu_rr(e, ALU_XOR, RAX, RAX);
	jmp_to(e, j->exit);
}

/*
 * The shared code that patches a chain (one copy each, made by jit_init):
 * called from the chain's site, laid out as
 *     jmp rel32 (the site, pointing at the call until patched)
 *     call chain (or xchain)
 *     .quad the block being left (xchain: then .quad the guard's imm64)
 * with eax = the target's EA and the budget counted. fn (jit_chain or
 * jit_xchain) patches the site to the target's translation and returns it
 * (continue there, with r15d = the EA), or NULL (leave with c->pc = the EA).
 */
static void emit_patch_stub(struct emit *e, struct core_jit *j, const void *fn)
{
	uint8_t *none;

	b1(e, 0x5a);                                  /* pop rdx: the literal's address */
	st32(e, OFF(pc), RAX);
	mov_rr64(e, RDI, RBX);
	mem(e, 0, 1, 0x8b, 1, RSI, RDX, -1, 0, 0);    /* mov rsi, [rdx]: the block */
	budget_save(e);
	call_abs(e, fn);
	budget_load(e);
	rr(e, 0, 1, 0x85, 1, RAX, RAX); /* test rax, rax */
	none = jcc_fwd(e, CC_E);
	ld32(e, R15, OFF(pc));
	rr(e, 0, 0, 0xff, 1, 4, RAX);   /* jmp rax */
	patch(e, none, e->p);
	alu_rr(e, ALU_XOR, RAX, RAX);
	jmp_to(e, j->exit);
}

/* Continue at the EA in esi after k instructions: the shared dispatch code. */
static void emit_dispatch(struct tr *t, unsigned k)
{
	struct emit *e = &t->e;

	if (k)
		budget_op(e, ALU_SUB, (int32_t)k);
	b1(e, 0xe8); /* call rel32 */
	b4(e, 0);
	patch(e, e->p - 4, t->c->jit->dispatch);
	rr(e, 0, 0, 0xff, 1, 4, RAX); /* jmp rax */
}

/* The offset from r14 of a field of the fast-cache entries of kind acc. */
#define FAST_OFF(acc, field) \
	((acc) * CORE_FAST_SIZE * (int32_t)sizeof(struct core_fast_entry) + \
	 (int32_t)offsetof(struct core_fast_entry, field))

/*
 * Compare the fast-cache entry of kind acc for the n-byte access at EA eax
 * with that access: equal (ZF) when it hits. rcx = the slot times 16, for
 * emit_fast_addend().
 */
static void emit_fast_probe(struct emit *e, unsigned n, int acc)
{
	mov_rr(e, RCX, RAX);
	sh_ri(e, SH_SHR, RCX, 12 - 4); /* the slot times 16 */
	alu_ri(e, ALU_AND, RCX, (CORE_FAST_SIZE - 1) << 4);
	/*
	 * The tag of the access's last byte against the entry of its first:
	 * equal only when the entry is valid for this context and the access
	 * stays inside the page.
	 */
	if (n > 1)
		mem(e, 0, 0, 0x8d, 1, RDX, RAX, -1, 0, (int32_t)n - 1); /* lea edx, [rax + n-1] */
	else
		mov_rr(e, RDX, RAX);
	alu_ri(e, ALU_AND, RDX, ~0xfffu);
	alu_rm(e, ALU_OR, RDX, OFF(fast_key) + 4 * acc);
	mem(e, 0, 0, 0x3b, 1, RDX, R14, RCX, 0, FAST_OFF(acc, tag));
}

/* rdx = the addend of the entry emit_fast_probe() hit (host address = rdx + EA). */
static void emit_fast_addend(struct emit *e, int acc)
{
	mem(e, 0, 1, 0x8b, 1, RDX, R14, RCX, 0, FAST_OFF(acc, addend));
}

/*
 * After k instructions, continue at EA block + delta in another page: a
 * guarded chain. Where that EA leads depends on the mapping of its page,
 * so the direct jump is taken only while the fetch fast cache (this
 * mode's, at r14) maps the EA, in this context, to the host address the
 * chain was patched for - the test jit_next() makes. Otherwise, and until
 * patched, the shared xchain code finds the translation through
 * jit_next() and patches the chain to it (emit_patch_stub). Laid out as
 *     ...guard: jne miss... mov rcx, imm64 (the host address; 0 until patched)
 *     jmp rel32 (the target's entry; the miss until patched)
 *   miss:
 *     call xchain
 *     .quad the block being left, .quad the address of the imm64
 */
static void emit_xchain(struct tr *t, unsigned k, int32_t delta)
{
	struct emit *e = &t->e;
	uint8_t *fail, *miss[2], *site, *imm;

	lea_pc(e, RAX, delta);
	budget_op(e, k ? ALU_SUB : ALU_CMP, (int32_t)k);
	fail = jcc_fwd(e, CC_L);
	/* the EA's fetch entry, as a fetch of it would find it */
	emit_fast_probe(e, 1, CORE_ACC_FETCH);
	miss[0] = jcc_fwd(e, CC_NE);
	/* the host address it maps to against the one patched in */
	emit_fast_addend(e, CORE_ACC_FETCH);
	rr(e, 0, 1, 0x01, 1, RAX, RDX); /* add rdx, rax (rax's upper half is 0) */
	mov_ri64(e, RCX, 0);
	imm = e->p - 8;
	rr(e, 0, 1, 0x39, 1, RCX, RDX); /* cmp rdx, rcx */
	miss[1] = jcc_fwd(e, CC_NE);
	mov_rr(e, R15, RAX);
	site = jmp_fwd(e);
	patch(e, site, e->p);
	patch(e, miss[0], e->p);
	patch(e, miss[1], e->p);
	b1(e, 0xe8); /* call rel32 */
	b4(e, 0);
	patch(e, e->p - 4, t->c->jit->xchain);
	b8(e, (uint64_t)(uintptr_t)t->b);
	b8(e, (uint64_t)(uintptr_t)imm);
	patch(e, fail, t->c->jit->leave_ea);
}

/*
 * After k instructions, continue at EA block + delta, physical address pa:
 * chained when pa lies in the block's page, else through the dispatcher.
 */
static void emit_goto(struct tr *t, unsigned k, int32_t delta, gpa_t pa)
{
	struct emit *e = &t->e;
	struct block *to;
	uint8_t *fail[2], *site;

	if ((pa & ~(gpa_t)0xfff) != (t->b->pa & ~(gpa_t)0xfff)) {
		emit_xchain(t, k, delta);
		return;
	}
	/* eax = the target's EA; c->pc is stored only on the ways out */
	lea_pc(e, RAX, delta);
	/* budget: the next block (<= BLK_MAX_INSNS) must fit */
	budget_op(e, k ? ALU_SUB : ALU_CMP, (int32_t)k);
	fail[0] = jcc_fwd(e, CC_L);
	/*
	 * Events: checked on backward (and self) chains only; forward chains
	 * stay in the page, so one of those or a dispatch comes within 1024
	 * instructions.
	 */
	fail[1] = NULL;
	if (pa <= t->b->pa + 4ull * (k ? k - 1 : 0)) {
		alu_mi(e, ALU_CMP, OFF(events), 0);
		fail[1] = jcc_fwd(e, CC_NE);
	}
	mov_rr(e, R15, RAX);
	/*
	 * A direct jump, patched by jit_chain() once the target is translated
	 * (killing a block turns its entry into a jump out, jit_forget()).
	 */
	site = jmp_fwd(e);
	to = block_find(t->c, pa);
	if (to && to->jit) {
		int8_t map[BLK_CACHE_REGS];

		cache_map(t->host, map);
		patch(e, site, chain_entry(map, to));
	} else
		patch(e, site, e->p);
	/* until patched: the shared chain code, which finds this block in the literal after the call */
	b1(e, 0xe8);
	b4(e, 0);
	patch(e, e->p - 4, t->c->jit->chain);
	b8(e, (uint64_t)(uintptr_t)t->b);
	for (int f = 0; f < 2; f++)
		if (fail[f])
			patch(e, fail[f], t->c->jit->leave_ea);
}

/*
 * Guest GPRs. The block's most used GPRs are cached in host registers
 * (rbp, r12, r13, r8, r9; the last two are caller-saved, so the calls into
 * C that keep the cache, jit_fp and emit_exec_fpu, save them with CR and
 * the budget: push_cr_budget). Writes go to the
 * host register only (the register is "dirty"); every way out of the
 * translated code stores the dirty ones first: exec() calls (generic ops
 * and slow paths), and the block's end. The cache is loaded at the
 * block's start and again after every call of exec(), which may change
 * any register.
 */

static void ldg(struct tr *t, int reg, unsigned r)
{
	if (t->host[r] == reg)
		return;
	if (t->host[r] >= 0)
		mov_rr(&t->e, reg, t->host[r]);
	else
		ld32(&t->e, reg, GPR(r));
}

static void stg(struct tr *t, unsigned r, int reg)
{
	if (t->host[r] >= 0) {
		if (t->host[r] != reg)
			mov_rr(&t->e, t->host[r], reg);
		t->dirty |= 1u << r;
	} else {
		st32(&t->e, GPR(r), reg);
	}
}

/* Store the cached GPRs in mask, and CR if cr, to memory. */
static void emit_store_dirty(struct tr *t, uint32_t mask, bool cr)
{
	for (unsigned r = 0; r < 32; r++)
		if ((mask >> r & 1) && t->host[r] >= 0)
			st32(&t->e, GPR(r), t->host[r]);
	if (cr)
		st32(&t->e, OFF(cr), R10);
}

/* Before leaving the block's linear code: memory gets every dirty register. */
static void emit_flush(struct tr *t)
{
	emit_store_dirty(t, t->dirty, t->cr_dirty);
	t->dirty = 0;
	t->cr_dirty = false;
}

/* Is instruction k a direct branch (b or bc, relative) to its block's first instruction? */
static bool to_block_start(const struct insn *i, unsigned k)
{
	return (i->op == OP_B || i->op == OP_BC) && !(i->flags & I_AA) && (int32_t)(4 * k + i->imm) == 0;
}

/*
 * After k instructions, back to the block's own start: straight to its
 * body, with every register still in its host register (a loop costs no
 * stores and loads). jit_compile() counts all cache registers dirty from
 * the start in such a block, so whichever way it leaves, memory gets them.
 */
static void emit_loop(struct tr *t, unsigned k)
{
	struct emit *e = &t->e;
	uint8_t *fail[2];

	budget_op(e, ALU_SUB, (int32_t)k);
	fail[0] = jcc_fwd(e, CC_L);
	alu_mi(e, ALU_CMP, OFF(events), 0);
	fail[1] = jcc_fwd(e, CC_NE);
	jmp_to(e, t->body);
	patch(e, fail[0], e->p);
	patch(e, fail[1], e->p);
	emit_store_dirty(t, t->dirty, t->cr_dirty);
	mov_rr(e, RAX, R15);
	jmp_to(e, t->c->jit->leave_ea);
}

static void alug(struct tr *t, int alu, int reg, unsigned r)
{
	if (t->host[r] >= 0)
		alu_rr(&t->e, alu, reg, t->host[r]);
	else
		alu_rm(&t->e, alu, reg, GPR(r));
}

/*
 * The host register to compute guest GPR d in: d's own cache register
 * when it has one and the computation reads no other source after its
 * first move (other: that later source, or -1), else eax.
 */
static int work(struct tr *t, unsigned d, int other)
{
	if (t->host[d] >= 0 && other != (int)d)
		return t->host[d];
	return RAX;
}

/* imul reg, GPR r */
static void imulg(struct tr *t, int reg, unsigned r)
{
	if (t->host[r] >= 0)
		rr(&t->e, 0, 0, 0x0faf, 2, reg, t->host[r]);
	else
		mem(&t->e, 0, 0, 0x0faf, 2, reg, RBX, -1, 0, GPR(r));
}

/*
 * (Re)load CR and the cached GPRs from memory. At a block's entry, CR
 * comes first and takes CR_LOAD_BYTES: a chain, which arrives with every
 * register written back and CR in r10d, enters after it, or after all
 * the loads when its own cache registers hold the same GPRs (chain_entry).
 */
static void emit_cache_load(struct tr *t)
{
	ld32(&t->e, R10, OFF(cr));
	for (unsigned r = 0; r < 32; r++)
		if (t->host[r] >= 0)
			ld32(&t->e, t->host[r], GPR(r));
}


/* Choose the cached GPRs: the most referenced by the block's translated-looking ops. */
static void choose_cache(struct tr *t, unsigned n)
{
	unsigned uses[32] = { 0 };

	memset(t->host, -1, sizeof(t->host));
	for (unsigned k = 0; k < n; k++) {
		const struct insn *i = &t->ins[k];

		if (i->cls == CL_BRANCH || i->cls == CL_CR || i->cls == CL_FPU || i->cls == CL_PRIV ||
		    i->cls == CL_ILLEGAL || i->op == OP_MCRF || i->op == OP_LMW || i->op == OP_STMW)
			continue;
		uses[i->rt & 31]++;
		if (i->ra)
			uses[i->ra & 31]++;
		uses[i->rb & 31]++;
	}
	for (unsigned h = 0; h < BLK_CACHE_REGS; h++) {
		unsigned best = 0, most = 2; /* at least 3 uses */

		for (unsigned r = 0; r < 32; r++)
			if (uses[r] > most && t->host[r] < 0) {
				most = uses[r];
				best = r;
			}
		if (most == 2)
			break;
		t->host[best] = (int8_t)cache_regs[h];
	}
}

/* Jump to instruction k's slow path (exec() of the whole instruction) on cc. */
static void slow_jcc(struct tr *t, unsigned k, int cc)
{
	struct slow *s = &t->slow[t->n_slow++];

	s->from = jcc_fwd(&t->e, cc);
	s->k = k;
	s->so_shift = -1;
	s->resume = NULL;
	s->dirty = t->dirty;
	s->cr_dirty = t->cr_dirty;
}

/* eax = (RA|0) + (RB or imm): the EA of a load or store. */
static void emit_ea(struct tr *t, const struct insn *i)
{
	struct emit *e = &t->e;
	int a = i->ra ? t->host[i->ra] : -1, b = t->host[i->rb];

	if (a >= 0 && !(i->attr & D_IDX)) {
		mem(e, 0, 0, 0x8d, 1, RAX, a, -1, 0, (int32_t)i->imm); /* lea eax, [ra + d] */
	} else if (a >= 0 && b >= 0) {
		mem(e, 0, 0, 0x8d, 1, RAX, a, b, 0, 0);                 /* lea eax, [ra + rb] */
	} else if (!i->ra && !(i->attr & D_IDX)) {
		mov_ri(e, RAX, i->imm);
	} else {
		if (i->ra)
			ldg(t, RAX, i->ra);
		else
			alu_rr(e, ALU_XOR, RAX, RAX);
		if (i->attr & D_IDX)
			alug(t, ALU_ADD, RAX, i->rb);
		else if (i->imm)
			alu_ri(e, ALU_ADD, RAX, i->imm);
	}
}

/*
 * rdx = host address of the n-byte access at EA eax of kind acc, or a jump
 * to the instruction's slow path (exec()) when the fast cache misses.
 */
static void emit_fast(struct tr *t, unsigned k, unsigned n, int acc)
{
	emit_fast_probe(&t->e, n, acc);
	slow_jcc(t, k, CC_NE);
	emit_fast_addend(&t->e, acc);
}

/*
 * Setting CR field f from a comparison, in three steps that leave the
 * comparison's host flags intact for a bc right after it (emit_insn's
 * fused branch):
 *   crf_pre:  the field in r10d := XER[SO] (LT, GT, EQ clear; SO out of line)
 *   the cmp or test itself
 *   crf_post: LT, GT or EQ added with cmov and lea (no flag changes); clobbers edx, esi
 */
/* ZF = !XER[SO] */
static void test_so(struct emit *e)
{
	mem(e, 0, 0, 0xf6, 1, 0, RBX, -1, 0, OFF(xer) + 3); /* test byte [xer + 3], 0x80 */
	b1(e, 0x80);
}

/* edx = the field's LT, GT or EQ bit (at shift) from the comparison's flags, which stay; clobbers esi. */
static void crf_bits(struct emit *e, unsigned shift, bool sign)
{
	mov_ri(e, RDX, 2u << shift);
	mov_ri(e, RSI, 4u << shift);
	cmov(e, sign ? CC_G : CC_A, RDX, RSI);
	mov_ri(e, RSI, 8u << shift);
	cmov(e, sign ? CC_L : CC_B, RDX, RSI);
}

static void crf_pre(struct tr *t, unsigned f)
{
	struct emit *e = &t->e;
	unsigned shift = 28 - 4 * f;
	struct slow *s = &t->slow[t->n_slow++];

	alu_ri(e, ALU_AND, R10, ~(0xfu << shift));
	/* XER[SO], almost always clear, is set out of line (emit_slow): r10d waits for no load */
	test_so(e);
	s->from = jcc_fwd(e, CC_NE);
	s->resume = e->p;
	s->so_shift = (int)shift;
}

static void crf_post(struct tr *t, unsigned f, bool sign)
{
	struct emit *e = &t->e;
	unsigned shift = 28 - 4 * f;

	crf_bits(e, shift, sign);
	mem(e, 0, 0, 0x8d, 1, R10, R10, RDX, 0, 0); /* lea r10d, [r10 + rdx]: the bits were clear */
	t->cr_dirty = true;
	t->flags_crf = (int)f;
	t->flags_sign = sign;
}

/*
 * li and lis: translated to moves, which leave the host flags alone, so a
 * bc after one still branches on the comparison before it (GCC often
 * schedules a constant load between a compare and its branch).
 */
static bool flag_neutral(const struct insn *i)
{
	return (i->op == OP_ADDI || i->op == OP_ADDIS) && !i->ra;
}

/*
 * Lazy CR fields. A compare into field f, or an Rc=1 instruction (field
 * 0), right before a bc on it (fused: the bc tests the host flags) need
 * not set f in r10d at all when, on the not-taken path, f is set again
 * before anything can read it: only simple ALU instructions (no slow
 * path, no exit) come before the next compare into f, or for field 0
 * the next simple instruction with Rc=1, in the same block. The bc's
 * taken path sets f from the flags first (crf_from_flags). A chain of
 * compare-and-branch pairs, as a switch compiles to, or of andi.-and-
 * branch pairs testing flag bits, then costs an ALU op and a jcc a pair.
 */
static bool crf_can_wait(const struct tr *t, unsigned k, unsigned f)
{
	const struct insn *b;
	unsigned n = k + 1;

	while (n < t->b->n && flag_neutral(&t->ins[n]))
		n++;
	if (n + 1 >= t->b->n)
		return false;
	b = &t->ins[n];
	if (b->op != OP_BC || (b->rt & 16) || !(b->rt & 4) || b->ra >> 2 != f || (b->ra & 3) == 3)
		return false;
	for (unsigned j = n + 1; j < t->b->n; j++) {
		const struct insn *i = &t->ins[j];

		if ((i->op == OP_CMP || i->op == OP_CMPI || i->op == OP_CMPL || i->op == OP_CMPLI) &&
		    i->rt >> 2 == f)
			return true;
		if (i->flags & I_OE)
			return false;
		switch (i->op) {
		case OP_ANDI_: case OP_ANDIS_:
			if (f == 0)
				return true;
			continue;
		case OP_RLWINM: case OP_AND: case OP_OR: case OP_XOR: case OP_ADD: case OP_SUBF:
			/* with Rc=1 these write CR0 whole, in line (emit_cr0) */
			if (f == 0 && (i->flags & I_RC))
				return true;
			continue;
		case OP_ADDI: case OP_ADDIS: case OP_ORI: case OP_ORIS: case OP_XORI: case OP_XORIS:
			continue;
		default:
			return false;
		}
	}
	return false;
}

/* CR field f (lazy) from the host flags of its comparison, as crf_pre + crf_post would have. */
static void crf_from_flags(struct tr *t, unsigned f, bool sign)
{
	struct emit *e = &t->e;
	unsigned shift = 28 - 4 * f;
	uint8_t *no_so;

	crf_bits(e, shift, sign);
	alu_ri(e, ALU_AND, R10, ~(0xfu << shift));
	alu_rr(e, ALU_OR, R10, RDX);
	test_so(e);
	no_so = jcc_fwd(e, CC_E);
	alu_ri(e, ALU_OR, R10, 1u << shift);
	patch(e, no_so, e->p);
}

/* CR field f = (edx & 0xe) | XER[SO], edx already shifted to the field; clobbers ecx. */
static void emit_set_crf_bits(struct tr *t, unsigned f)
{
	crf_pre(t, f);
	mem(&t->e, 0, 0, 0x8d, 1, R10, R10, RDX, 0, 0);
	t->cr_dirty = true;
}

/*
 * CR0 from the result in host register reg (signed compare with 0, plus
 * SO), for instruction t->k: only the test when a bc on CR0 follows and
 * the field can wait (crf_can_wait).
 */
static void emit_cr0(struct tr *t, int reg)
{
	bool lazy = crf_can_wait(t, t->k, 0);

	if (!lazy)
		crf_pre(t, 0);
	rr(&t->e, 0, 0, 0x85, 1, reg, reg); /* test reg, reg */
	if (lazy) {
		t->flags_crf = 0;
		t->flags_sign = true;
		t->crf_lazy = 0;
	} else {
		crf_post(t, 0, true);
	}
}

/*
 * Lazy XER[CA]: does instruction k + 1 take CA in and set it again (adde,
 * subfe, addze, addme, subfze, in line)? Then the CA instruction k sets
 * never reaches XER: it waits in edi, where the next one takes it from
 * (the idioms addic/subfe for x != 0, subfic/adde for x == 0,
 * srawi/addze for a signed division, addc/adde for 64-bit sums).
 */
static bool ca_taken_next(const struct tr *t)
{
	const struct insn *i = &t->ins[t->k + 1];

	if (t->k + 1 >= t->b->n || (i->flags & I_OE))
		return false;
	return i->op == OP_ADDE || i->op == OP_SUBFE || i->op == OP_ADDZE || i->op == OP_ADDME ||
	       i->op == OP_SUBFZE;
}

/* XER[CA] = dl (0 or 1), or edi = dl for the next instruction (ca_taken_next). */
static void emit_set_ca(struct tr *t)
{
	struct emit *e = &t->e;

	if (ca_taken_next(t)) {
		movzx8(e, RDI, RDX);
		t->ca_edi = (int)t->k + 1;
		return;
	}
	movzx8(e, RDX, RDX);
	sh_ri(e, SH_SHL, RDX, 29);
	ld32(e, RCX, OFF(xer));
	alu_ri(e, ALU_AND, RCX, ~XER_CA);
	alu_rr(e, ALU_OR, RCX, RDX);
	st32(e, OFF(xer), RCX);
}

/* CF = XER[CA] (before an adc/sbb; only mov may come between): from edi when it waits there. */
static void emit_ca_to_cf(struct tr *t)
{
	if (t->ca_edi == (int)t->k) {
		rr(&t->e, 0, 0, 0x0fba, 2, 4, RDI); /* bt edi, 0 */
		b1(&t->e, 0);
		return;
	}
	ld32(&t->e, RCX, OFF(xer));
	rr(&t->e, 0, 0, 0x0fba, 2, 4, RCX); /* bt ecx, 29 */
	b1(&t->e, 29);
}

/* Store eax to GPR d, then CR0 if Rc. */
/* GPR d = host register reg (work()'s choice), then CR0 if Rc. */
static void emit_result(struct tr *t, const struct insn *i, unsigned d, int reg)
{
	stg(t, d, reg);
	if (i->flags & I_RC)
		emit_cr0(t, reg);
}

/*
 * exec() instruction k through the shared stub (jit_init): it returns here
 * when the block goes on, and leaves through the result code otherwise.
 */
static void emit_exec_call(struct tr *t, unsigned k, uint32_t dirty, bool cr)
{
	struct emit *e = &t->e;

	emit_store_dirty(t, dirty, cr);
	mem(e, 0, 1, 0x8d, 1, RSI, RBX, -1, 0,
	    (int32_t)((const uint8_t *)&t->ins[k] - (const uint8_t *)t->c)); /* lea rsi, [insn] */
	mov_ri(e, RDX, 4 * k);
	b1(e, 0xe8); /* call rel32 */
	b4(e, 0);
	patch(e, e->p - 4, t->c->jit->exec);
	emit_cache_load(t);
}

/*
 * Around a call into C that changes none of them: keep CR (r10), the
 * budget (r11) and the caller-saved cache registers (r8, r9) when the
 * block uses them. Two or four pushes keep the 16-byte alignment.
 */
static int first_kept(const struct tr *t)
{
	for (unsigned r = 0; r < 32; r++)
		if (t->host[r] == R8 || t->host[r] == R9)
			return R8;
	return R10;
}

static void push_cr_budget(struct tr *t)
{
	for (int r = first_kept(t); r <= R11; r++) {
		rex(&t->e, 0, 0, 0, r);
		b1(&t->e, 0x50u + (unsigned)(r & 7)); /* push */
	}
}

static void pop_cr_budget(struct tr *t)
{
	for (int r = R11; r >= first_kept(t); r--) {
		rex(&t->e, 0, 0, 0, r);
		b1(&t->e, 0x58u + (unsigned)(r & 7)); /* pop */
	}
}

#define FPSCR_XX 0x02000000u
#define FPCC_BITS 0xf000u

/* The FP arithmetic emit_fp_arith translates: the four operations and the multiply-adds. */
static bool fp_in_line(uint32_t w)
{
	unsigned xo = (w >> 1) & 31;

	if (!(w & 0x20) || (w & 1))
		return false;
	return xo == 18 || xo == 20 || xo == 21 || xo == 25 || (xo >= 28 && have_fma);
}

/*
 * FP arithmetic word w in line, on the host's SSE unit (FMA for the
 * multiply-adds), with the FPSCR lazy (core_fp_settle): the result is
 * written and FR, FI and FPRF left to be worked out where something
 * observes them. Only when nothing else could change: RN round to
 * nearest, no exception enabled, XX already set (another inexact result
 * changes no bit), and a result the host rounded to a normal number far
 * from overflow and underflow, so the exact result is normal too and the
 * only exception XX; a single additionally needs the double not on a
 * midpoint between two singles, where rounding twice could differ from
 * rounding once (core_run() keeps SSE rounding to nearest). Otherwise
 * the code falls through to what follows (the C fast path); returns the
 * jump, at the end of the in-line path, to patch past it.
 */
static uint8_t *emit_fp_arith(struct tr *t, uint32_t w)
{
	struct emit *e = &t->e;
	unsigned xo = (w >> 1) & 31, rd = (w >> 21) & 31;
	unsigned used = fpu_a_form_operands(w);
	bool single = (w >> 26) == 59;
	uint8_t *out[4], *done;
	unsigned n = 0;
	int32_t op = OFF(fp_lazy_op);

	ld32(e, RAX, OFF(fpscr));
	alu_ri(e, ALU_AND, RAX, FPSCR_XX | 0xffu); /* XX, VE OE UE ZE XE, NI, RN */
	alu_ri(e, ALU_CMP, RAX, FPSCR_XX);
	out[n++] = jcc_fwd(e, CC_NE);
	/* the lazy record: word, nothing kept yet, operands frA frB frC */
	for (unsigned q = 0; q < 3; q++) {
		if (!(used & (1u << q)))
			continue;
		mem(e, 0, 1, 0x8b, 1, RCX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)((w >> (16 - 5 * q)) & 31));
		mem(e, 0, 1, 0x89, 1, RCX, RBX, -1, 0, op + 8 * (int32_t)q);
	}
	mov_ri(e, RCX, w);
	mem(e, 0, 1, 0x89, 1, RCX, RBX, -1, 0, OFF(fp_lazy)); /* and fp_lazy_keep = 0 */
	b1(e, 0xf2);
	mem(e, 0, 0, 0x0f10, 2, 0, RBX, -1, 0, op); /* movsd xmm0, frA */
	if (xo >= 28) {
		b1(e, 0xf2);
		mem(e, 0, 0, 0x0f10, 2, 1, RBX, -1, 0, op + 16); /* movsd xmm1, frC */
		/* vfmadd213sd / vfmsub213sd xmm0, xmm1, frB: xmm0 = frA * frC +- frB */
		b1(e, 0xc4);
		b1(e, 0xe2);
		b1(e, 0xf1);
		b1(e, xo == 28 || xo == 30 ? 0xab : 0xa9);
		b1(e, 0x83);
		b4(e, (uint32_t)(op + 8));
	} else {
		unsigned code = xo == 21 ? 0x0f58 : xo == 20 ? 0x0f5c : xo == 25 ? 0x0f59 : 0x0f5e;

		b1(e, 0xf2);
		mem(e, 0, 0, code, 2, 0, RBX, -1, 0, op + (xo == 25 ? 16 : 8)); /* op xmm0, frC or frB */
	}
	rr(e, 1, 1, 0x0f7e, 2, 0, RAX); /* movq rax, xmm0 */
	mov_rr64(e, RCX, RAX);
	rr(e, 0, 1, 0xc1, 1, SH_SHR, RCX); /* shr rcx, 52: the exponent */
	b1(e, 52);
	alu_ri(e, ALU_AND, RCX, 0x7ff);
	if (single) {
		/* 2^-125 <= |r| < 2^127: a normal single, with a margin each side */
		alu_ri(e, ALU_SUB, RCX, 1023 - 125);
		alu_ri(e, ALU_CMP, RCX, 127 + 125);
		out[n++] = jcc_fwd(e, CC_AE);
		mov_rr(e, RCX, RAX);
		alu_ri(e, ALU_AND, RCX, 0x1fffffff);
		alu_ri(e, ALU_CMP, RCX, 0x10000000);
		out[n++] = jcc_fwd(e, CC_E);
		b1(e, 0xf2);
		rr(e, 0, 0, 0x0f5a, 2, 0, 0); /* cvtsd2ss xmm0, xmm0 */
		b1(e, 0xf3);
		rr(e, 0, 0, 0x0f5a, 2, 0, 0); /* cvtss2sd xmm0, xmm0 */
		rr(e, 1, 1, 0x0f7e, 2, 0, RAX);
	} else {
		/* biased exponent 2..2046: finite, and normal with a margin */
		alu_ri(e, ALU_SUB, RCX, 2);
		alu_ri(e, ALU_CMP, RCX, 2045);
		out[n++] = jcc_fwd(e, CC_AE);
	}
	if (xo == 30 || xo == 31) {
		rr(e, 0, 1, 0x0fba, 2, 7, RAX); /* btc rax, 63: fnmsub, fnmadd */
		b1(e, 63);
	}
	mem(e, 0, 1, 0x89, 1, RAX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)rd);
	mem(e, 0, 1, 0x89, 1, RAX, RBX, -1, 0, OFF(fp_lazy_res));
	done = jmp_fwd(e);
	while (n)
		patch(e, out[--n], e->p);
	return done;
}

/*
 * exec() instruction k, an FP instruction that touches no GPR and no CR:
 * the cached registers stay where they are (r10 and r11 kept on the
 * stack), and only a way out (an exit or FP-unavailable interrupt) writes
 * them back, then leaves through the result code like the exec stub.
 */
static void emit_exec_fpu(struct tr *t, unsigned k)
{
	struct emit *e = &t->e;
	uint8_t *on;

	push_cr_budget(t);
	mov_rr64(e, RDI, RBX);
	mem(e, 0, 1, 0x8d, 1, RSI, RBX, -1, 0,
	    (int32_t)((const uint8_t *)&t->ins[k] - (const uint8_t *)t->c)); /* lea rsi, [insn] */
	lea_pc(e, RDX, (int32_t)(4 * k));
	call_abs(e, (const void *)jit_exec);
	pop_cr_budget(t);
	rr(e, 0, 0, 0x85, 1, RAX, RAX);
	on = jcc_fwd(e, CC_E);
	emit_store_dirty(t, t->dirty, t->cr_dirty);
	mov_ri(e, RCX, k);
	jmp_to(e, t->c->jit->result);
	patch(e, on, e->p);
}

static void emit_generic(struct tr *t, unsigned k)
{
	emit_exec_call(t, k, t->dirty, t->cr_dirty);
	t->dirty = 0;
	t->cr_dirty = false;
}

/* Translate one instruction; false when it ends the block (a branch). */
static bool emit_insn(struct tr *t, unsigned k, const struct insn *i)
{
	struct emit *e = &t->e;
	unsigned bo;
	uint8_t *nt[2];
	unsigned nnt = 0;
	int32_t next = (int32_t)(4 * k + 4);
	gpa_t pa = t->b->pa + 4ull * k;
	int fl = t->flags_crf; /* set by the previous instruction only (or before a li: flag_neutral) */

	t->flags_crf = -1;
	t->k = k;

	switch (i->op) {
	case OP_ADDI:
	case OP_ADDIS: {
		int w = work(t, i->rt, -1);

		if (i->ra && t->host[i->ra] >= 0 && w != t->host[i->ra]) {
			/* lea w, [src + imm] */
			mem(e, 0, 0, 0x8d, 1, w, t->host[i->ra], -1, 0,
			    (int32_t)(i->op == OP_ADDIS ? i->imm << 16 : i->imm));
		} else {
			uint32_t imm = i->op == OP_ADDIS ? i->imm << 16 : i->imm;

			if (!i->ra) { /* li, lis: moves only (flag_neutral) */
				mov_ri(e, w, imm);
				stg(t, i->rt, w);
				t->flags_crf = fl;
				return true;
			} else if (i->ra == i->rt && t->host[i->rt] < 0) {
				alu_mi(e, ALU_ADD, GPR(i->rt), imm); /* in memory */
				return true;
			} else {
				ldg(t, w, i->ra);
				alu_ri(e, ALU_ADD, w, imm);
			}
		}
		stg(t, i->rt, w);
		return true;
	}
	case OP_ORI: case OP_ORIS: case OP_XORI: case OP_XORIS: case OP_ANDI_: case OP_ANDIS_: {
		bool hi = i->op == OP_ORIS || i->op == OP_XORIS || i->op == OP_ANDIS_;
		int alu = i->op == OP_ORI || i->op == OP_ORIS	 ? ALU_OR
			  : i->op == OP_XORI || i->op == OP_XORIS ? ALU_XOR
								  : ALU_AND;
		int w = work(t, i->ra, -1);

		ldg(t, w, i->rt);
		alu_ri(e, alu, w, hi ? i->imm << 16 : i->imm);
		stg(t, i->ra, w);
		if (alu == ALU_AND)
			emit_cr0(t, w);
		return true;
	}
	case OP_RLWINM:
	case OP_RLWNM: {
		int w = work(t, i->ra, -1);

		if (i->op == OP_RLWNM)
			ldg(t, RCX, i->rb); /* before w is written: rb may be ra */
		ldg(t, w, i->rt);
		if (i->op == OP_RLWINM && i->sh && i->imm == 0xffffffffu << i->sh) {
			sh_ri(e, SH_SHL, w, i->sh); /* slwi: the mask is the shift's */
		} else if (i->op == OP_RLWINM && i->sh && i->imm == 0xffffffffu >> (32 - i->sh)) {
			sh_ri(e, SH_SHR, w, 32 - i->sh); /* srwi */
		} else {
			if (i->op == OP_RLWNM)
				sh_cl(e, SH_ROL, w);
			else if (i->sh)
				sh_ri(e, SH_ROL, w, i->sh);
			if (i->imm != 0xffffffffu)
				alu_ri(e, ALU_AND, w, i->imm);
		}
		emit_result(t, i, i->ra, w);
		return true;
	}
	case OP_RLWIMI:
		ldg(t, RAX, i->rt);
		if (i->sh)
			sh_ri(e, SH_ROL, RAX, i->sh);
		alu_ri(e, ALU_AND, RAX, i->imm);
		ldg(t, RCX, i->ra);
		alu_ri(e, ALU_AND, RCX, ~i->imm);
		alu_rr(e, ALU_OR, RAX, RCX);
		emit_result(t, i, i->ra, RAX);
		return true;
	case OP_AND: case OP_OR: case OP_XOR: case OP_ANDC: case OP_ORC:
	case OP_NAND: case OP_NOR: case OP_EQV: {
		int alu = i->op == OP_OR || i->op == OP_ORC || i->op == OP_NOR	? ALU_OR
			  : i->op == OP_XOR || i->op == OP_EQV			? ALU_XOR
										: ALU_AND;
		bool compl = i->op == OP_ANDC || i->op == OP_ORC;
		unsigned s1 = i->rt, s2 = i->rb;
		int w;

		if (!compl && s2 == i->ra) { /* commutative: compute in ra's register */
			s2 = s1;
			s1 = i->ra;
		}
		w = work(t, i->ra, (int)s2);
		if (compl) {
			ldg(t, RCX, s2);
			rr(e, 0, 0, 0xf7, 1, 2, RCX); /* not ecx */
			ldg(t, w, s1);
			alu_rr(e, alu, w, RCX);
		} else {
			ldg(t, w, s1);
			alug(t, alu, w, s2);
		}
		if (i->op == OP_NAND || i->op == OP_NOR || i->op == OP_EQV)
			rr(e, 0, 0, 0xf7, 1, 2, w);
		emit_result(t, i, i->ra, w);
		return true;
	}
	case OP_EXTSB:
	case OP_EXTSH: {
		int w = work(t, i->ra, -1);

		ldg(t, RCX, i->rt);
		rr(e, 0, 0, i->op == OP_EXTSB ? 0x0fbe : 0x0fbf, 2, w, RCX);
		emit_result(t, i, i->ra, w);
		return true;
	}
	case OP_CNTLZW: {
		uint8_t *z;

		mov_ri(e, RAX, 32);
		ldg(t, RCX, i->rt);
		rr(e, 0, 0, 0x0fbd, 2, RCX, RCX); /* bsr ecx, ecx */
		z = jcc_fwd(e, CC_E);
		mov_rr(e, RAX, RCX);
		alu_ri(e, ALU_XOR, RAX, 31);
		patch(e, z, e->p);
		emit_result(t, i, i->ra, RAX);
		return true;
	}
	case OP_SLW:
	case OP_SRW: {
		int w = work(t, i->ra, -1);

		ldg(t, RCX, i->rb); /* before w is written: rb may be ra */
		alu_ri(e, ALU_AND, RCX, 63);
		ldg(t, w, i->rt);
		sh_cl(e, i->op == OP_SLW ? SH_SHL : SH_SHR, w);
		alu_rr(e, ALU_XOR, RDX, RDX);
		alu_ri(e, ALU_CMP, RCX, 31);
		cmov(e, CC_A, w, RDX);
		emit_result(t, i, i->ra, w);
		return true;
	}
	case OP_SRAWI:
		/* CA = negative and a 1 bit shifted out */
		ldg(t, RAX, i->rt);
		alu_rr(e, ALU_XOR, RDX, RDX);
		if (i->sh) {
			mov_rr(e, RCX, RAX);
			alu_ri(e, ALU_AND, RCX, (1u << i->sh) - 1);
			setcc(e, CC_NE, RDX);
			mov_rr(e, RCX, RAX);
			sh_ri(e, SH_SHR, RCX, 31);
			alu_rr(e, ALU_AND, RDX, RCX);
			sh_ri(e, SH_SAR, RAX, i->sh);
		}
		stg(t, i->ra, RAX);
		emit_set_ca(t);
		if (i->flags & I_RC)
			emit_cr0(t, RAX);
		return true;
	case OP_ADD: case OP_SUBF: case OP_NEG: case OP_MULLW: case OP_MULHW: case OP_MULHWU: {
		unsigned s1 = i->ra, s2 = i->rb;
		int w;

		if (i->flags & I_OE)
			break;
		if (i->op == OP_MULHW || i->op == OP_MULHWU) {
			ldg(t, RAX, i->ra);
			ldg(t, RCX, i->rb);
			rr(e, 0, 0, 0xf7, 1, i->op == OP_MULHW ? 5 : 4, RCX); /* (i)mul ecx */
			emit_result(t, i, i->rt, RDX);
			return true;
		}
		if (i->op == OP_SUBF) { /* rb - ra */
			s1 = i->rb;
			s2 = i->ra;
		} else if (i->op != OP_NEG && s2 == i->rt) { /* commutative: compute in rt's register */
			s2 = s1;
			s1 = i->rt;
		}
		w = work(t, i->rt, i->op == OP_NEG ? -1 : (int)s2);
		ldg(t, w, s1);
		if (i->op == OP_NEG)
			rr(e, 0, 0, 0xf7, 1, 3, w);
		else if (i->op == OP_MULLW)
			imulg(t, w, s2);
		else
			alug(t, i->op == OP_ADD ? ALU_ADD : ALU_SUB, w, s2);
		emit_result(t, i, i->rt, w);
		return true;
	}
	case OP_MULLI: {
		int w = work(t, i->rt, -1);

		ldg(t, RCX, i->ra);
		rr(e, 0, 0, 0x69, 1, w, RCX); /* imul w, ecx, imm */
		b4(e, i->imm);
		stg(t, i->rt, w);
		return true;
	}
	case OP_ADDC: case OP_ADDE: case OP_SUBFC: case OP_SUBFE: case OP_ADDZE: case OP_ADDME:
	case OP_SUBFZE: case OP_ADDIC: case OP_ADDIC_: case OP_SUBFIC:
		if (i->flags & I_OE)
			break;
		switch (i->op) {
		case OP_ADDC:
			ldg(t, RAX, i->ra);
			alug(t, ALU_ADD, RAX, i->rb);
			setcc(e, CC_B, RDX);
			break;
		case OP_ADDIC:
		case OP_ADDIC_:
			ldg(t, RAX, i->ra);
			alu_ri(e, ALU_ADD, RAX, i->imm);
			setcc(e, CC_B, RDX);
			break;
		case OP_SUBFC:
			ldg(t, RAX, i->rb);
			alug(t, ALU_SUB, RAX, i->ra);
			setcc(e, CC_AE, RDX);
			break;
		case OP_SUBFIC:
			mov_ri(e, RAX, i->imm);
			alug(t, ALU_SUB, RAX, i->ra);
			setcc(e, CC_AE, RDX);
			break;
		case OP_ADDE:
			emit_ca_to_cf(t);
			ldg(t, RAX, i->ra);
			alug(t, ALU_ADC, RAX, i->rb);
			setcc(e, CC_B, RDX);
			break;
		case OP_SUBFE:
			/* ~ra + rb + CA = rb - ra - !CA: sbb with CF = !CA; CA out = no borrow */
			emit_ca_to_cf(t);
			b1(e, 0xf5); /* cmc */
			ldg(t, RAX, i->rb);
			alug(t, ALU_SBB, RAX, i->ra);
			setcc(e, CC_AE, RDX);
			break;
		case OP_ADDZE:
		case OP_ADDME:
			emit_ca_to_cf(t);
			ldg(t, RAX, i->ra);
			rr(e, 0, 0, 0x81, 1, ALU_ADC, RAX);
			b4(e, i->op == OP_ADDME ? 0xffffffffu : 0);
			setcc(e, CC_B, RDX);
			break;
		default: /* OP_SUBFZE: ~ra + CA */
			emit_ca_to_cf(t);
			ldg(t, RAX, i->ra);
			rr(e, 0, 0, 0xf7, 1, 2, RAX); /* not (flags kept) */
			rr(e, 0, 0, 0x81, 1, ALU_ADC, RAX);
			b4(e, 0);
			setcc(e, CC_B, RDX);
			break;
		}
		stg(t, i->rt, RAX);
		emit_set_ca(t);
		/* D-forms have no Rc bit: only addic. records */
		if (i->op == OP_ADDIC_ ||
		    ((i->flags & I_RC) && i->op != OP_ADDIC && i->op != OP_SUBFIC)) {
			ldg(t, RAX, i->rt);
			emit_cr0(t, RAX);
		}
		return true;
	case OP_CMP: case OP_CMPI: case OP_CMPL: case OP_CMPLI: {
		int a = t->host[i->ra] >= 0 ? t->host[i->ra] : RAX;
		bool lazy = crf_can_wait(t, k, i->rt >> 2);

		if (!lazy)
			crf_pre(t, i->rt >> 2);
		if (i->op == OP_CMP || i->op == OP_CMPL) {
			ldg(t, a, i->ra);
			alug(t, ALU_CMP, a, i->rb);
		} else if (t->host[i->ra] < 0) {
			alu_mi(e, ALU_CMP, GPR(i->ra), i->imm); /* cmp dword [ra], imm */
		} else {
			alu_ri(e, ALU_CMP, a, i->imm);
		}
		if (lazy) {
			t->flags_crf = (int)(i->rt >> 2);
			t->flags_sign = i->op == OP_CMP || i->op == OP_CMPI;
			t->crf_lazy = t->flags_crf;
		} else {
			crf_post(t, i->rt >> 2, i->op == OP_CMP || i->op == OP_CMPI);
		}
		return true;
	}
	case OP_MFCR:
		mov_rr(e, RAX, R10);
		stg(t, i->rt, RAX);
		return true;
	case OP_MTCRF: {
		uint32_t m = 0;

		for (unsigned f = 0; f < 8; f++)
			if (i->imm & (0x80u >> f))
				m |= 0xf0000000u >> (4 * f);
		ldg(t, RAX, i->rt);
		alu_ri(e, ALU_AND, RAX, m);
		alu_ri(e, ALU_AND, R10, ~m);
		alu_rr(e, ALU_OR, R10, RAX);
		t->cr_dirty = true;
		return true;
	}
	case OP_MFSPR:
	case OP_MTSPR: {
		/* the SPRs user mode reads and writes without the hypervisor (read_spr, write_spr) */
		int32_t off = i->imm == 8 ? OFF(lr) : i->imm == 9 ? OFF(ctr) : i->imm == 1 ? OFF(xer)
			      : i->imm == 256 ? OFF(usprg0) : -1;

		if (i->op == OP_MFSPR && i->imm >= 260 && i->imm <= 263)
			off = OFF(sprg_ro) + 4 * (int32_t)(i->imm - 260);
		if (off < 0)
			break;
		if (i->op == OP_MFSPR)
			ld32(e, RAX, off);
		else
			ldg(t, RAX, i->rt);
		if (i->op == OP_MTSPR && i->imm == 1)
			alu_ri(e, ALU_AND, RAX, 0xe000007fu); /* SO, OV, CA and the byte count */
		if (i->op == OP_MFSPR)
			stg(t, i->rt, RAX);
		else
			st32(e, off, RAX);
		return true;
	}
	case OP_LBZ: case OP_LBZU: case OP_LBZX: case OP_LBZUX: case OP_LHZ: case OP_LHZU:
	case OP_LHZX: case OP_LHZUX: case OP_LHA: case OP_LHAU: case OP_LHAX: case OP_LHAUX:
	case OP_LWZ: case OP_LWZU: case OP_LWZX: case OP_LWZUX: case OP_LHBRX: case OP_LWBRX:
		emit_ea(t, i);
		emit_fast(t, k, i->size, CORE_ACC_READ);
		if (i->size == 1) {
			mem(e, 0, 0, 0x0fb6, 2, RCX, RDX, RAX, 0, 0);
		} else if (i->size == 2) {
			mem(e, 0, 0, 0x0fb7, 2, RCX, RDX, RAX, 0, 0);
			if (!(i->attr & D_BREV)) {
				rr(e, 1, 0, 0xc1, 1, SH_ROL, RCX); /* rol cx, 8 */
				b1(e, 8);
			}
			if (i->attr & D_SEXT)
				rr(e, 0, 0, 0x0fbf, 2, RCX, RCX);
		} else {
			int w = t->host[i->rt] >= 0 ? t->host[i->rt] : RCX;

			if (i->attr & D_BREV) {
				mem(e, 0, 0, 0x8b, 1, w, RDX, RAX, 0, 0);
			} else if (have_movbe) {
				mem(e, 0, 0, 0x0f38f0, 3, w, RDX, RAX, 0, 0); /* movbe w, [rdx + rax] */
			} else {
				mem(e, 0, 0, 0x8b, 1, w, RDX, RAX, 0, 0);
				bswap(e, w);
			}
			stg(t, i->rt, w);
			if (i->attr & D_UPD)
				stg(t, i->ra, RAX);
			return true;
		}
		stg(t, i->rt, RCX);
		if (i->attr & D_UPD)
			stg(t, i->ra, RAX);
		return true;
	case OP_STB: case OP_STBU: case OP_STBX: case OP_STBUX: case OP_STH: case OP_STHU:
	case OP_STHX: case OP_STHUX: case OP_STW: case OP_STWU: case OP_STWX: case OP_STWUX:
	case OP_STHBRX: case OP_STWBRX:
		emit_ea(t, i);
		emit_fast(t, k, i->size, CORE_ACC_WRITE);
		if (i->size == 4 && !(i->attr & D_BREV) && have_movbe) {
			int v = t->host[i->rt] >= 0 ? t->host[i->rt] : RCX;

			ldg(t, v, i->rt);
			mem(e, 0, 0, 0x0f38f1, 3, v, RDX, RAX, 0, 0); /* movbe [rdx + rax], v */
			if (i->attr & D_UPD)
				stg(t, i->ra, RAX);
			return true;
		}
		ldg(t, RCX, i->rt);
		if (i->size == 1) {
			mem(e, 0, 0, 0x88, 1, RCX, RDX, RAX, 0, 0);
		} else if (i->size == 2) {
			if (!(i->attr & D_BREV)) {
				rr(e, 1, 0, 0xc1, 1, SH_ROL, RCX);
				b1(e, 8);
			}
			mem(e, 1, 0, 0x89, 1, RCX, RDX, RAX, 0, 0);
		} else {
			if (!(i->attr & D_BREV))
				bswap(e, RCX);
			mem(e, 0, 0, 0x89, 1, RCX, RDX, RAX, 0, 0);
		}
		if (i->attr & D_UPD)
			stg(t, i->ra, RAX);
		return true;
	case OP_LWARX:
	case OP_STWCX: {
		/* the reservation holds the PA (interp.c); unaligned or off the fast path: exec() */
		bool st = i->op == OP_STWCX;

		if (i->ra)
			ldg(t, RAX, i->ra);
		else
			alu_rr(e, ALU_XOR, RAX, RAX);
		alug(t, ALU_ADD, RAX, i->rb);
		rr(e, 0, 0, 0xf7, 1, 0, RAX); /* test eax, 3 */
		b4(e, 3);
		slow_jcc(t, k, CC_NE);
		emit_fast(t, k, 4, st ? CORE_ACC_WRITE : CORE_ACC_READ);
		mem(e, 0, 1, 0x8d, 1, RCX, RDX, RAX, 0, 0);       /* lea rcx, [rdx + rax] */
		mem(e, 0, 1, 0x2b, 1, RCX, RBX, -1, 0, OFF(ram)); /* sub rcx, [ram]: the PA */
		if (!st) {
			mem(e, 0, 1, 0x89, 1, RCX, RBX, -1, 0, OFF(resv_pa));
			mem(e, 0, 0, 0xc6, 1, 0, RBX, -1, 0, OFF(resv_valid)); /* mov byte, 1 */
			b1(e, 1);
			mem(e, 0, 0, 0x8b, 1, RCX, RDX, RAX, 0, 0);
			bswap(e, RCX);
			stg(t, i->rt, RCX);
		} else {
			uint8_t *fail[2], *done;

			mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(resv_valid)); /* cmp byte, 0 */
			b1(e, 0);
			mem(e, 0, 0, 0xc6, 1, 0, RBX, -1, 0, OFF(resv_valid)); /* mov byte, 0 */
			b1(e, 0);
			fail[0] = jcc_fwd(e, CC_E);
			mem(e, 0, 1, 0x3b, 1, RCX, RBX, -1, 0, OFF(resv_pa));
			fail[1] = jcc_fwd(e, CC_NE);
			ldg(t, RCX, i->rt);
			bswap(e, RCX);
			mem(e, 0, 0, 0x89, 1, RCX, RDX, RAX, 0, 0);
			mov_ri(e, RDX, 2u << 28); /* EQ: stored */
			done = jmp_fwd(e);
			patch(e, fail[0], e->p);
			patch(e, fail[1], e->p);
			alu_rr(e, ALU_XOR, RDX, RDX);
			patch(e, done, e->p);
			emit_set_crf_bits(t, 0);
		}
		return true;
	}
	case OP_LMW:
	case OP_STMW: {
		unsigned nr = 32 - i->rt;

		emit_ea(t, i);
		emit_fast(t, k, 4 * nr, i->op == OP_LMW ? CORE_ACC_READ : CORE_ACC_WRITE);
		for (unsigned q = 0; q < nr; q++) {
			if (i->op == OP_LMW) {
				mem(e, 0, 0, 0x8b, 1, RCX, RDX, RAX, 0, (int32_t)(4 * q));
				bswap(e, RCX);
				stg(t, i->rt + q, RCX);
			} else {
				ldg(t, RCX, i->rt + q);
				bswap(e, RCX);
				mem(e, 0, 0, 0x89, 1, RCX, RDX, RAX, 0, (int32_t)(4 * q));
			}
		}
		return true;
	}
	case OP_LFS: case OP_LFSU: case OP_LFSX: case OP_LFSUX: {
		/* a single -> double: cvtss2sd is exact for zeros and normals; the rest in exec() */
		uint8_t *normal;

		mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(fp_enabled));
		b1(e, 0);
		slow_jcc(t, k, CC_E);
		emit_ea(t, i);
		mov_rr(e, RCX, RAX);
		alu_ri(e, ALU_AND, RCX, 15);
		alu_ri(e, ALU_CMP, RCX, 12);
		slow_jcc(t, k, CC_A);
		emit_fast(t, k, 4, CORE_ACC_READ);
		mem(e, 0, 0, 0x8b, 1, RCX, RDX, RAX, 0, 0);
		bswap(e, RCX);
		mov_rr(e, RDX, RCX);
		alu_ri(e, ALU_AND, RDX, 0x7f800000u);
		alu_ri(e, ALU_CMP, RDX, 0x7f800000u);
		slow_jcc(t, k, CC_E); /* infinity or NaN */
		rr(e, 0, 0, 0x85, 1, RDX, RDX);
		normal = jcc_fwd(e, CC_NE);
		rr(e, 0, 0, 0xf7, 1, 0, RCX); /* test ecx, 0x7fffffff */
		b4(e, 0x7fffffffu);
		slow_jcc(t, k, CC_NE); /* denormal */
		patch(e, normal, e->p);
		rr(e, 1, 0, 0x0f6e, 2, 0, RCX); /* movd xmm0, ecx */
		b1(e, 0xf3);
		rr(e, 0, 0, 0x0f5a, 2, 0, 0);   /* cvtss2sd xmm0, xmm0 */
		mem(e, 1, 0, 0x0fd6, 2, 0, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)i->rt); /* movq [fpr], xmm0 */
		if (i->attr & D_UPD)
			stg(t, i->ra, RAX);
		return true;
	}
	case OP_LFD: case OP_LFDU: case OP_LFDX: case OP_LFDUX:
	case OP_STFD: case OP_STFDU: case OP_STFDX: case OP_STFDUX: case OP_STFIWX: {
		bool st = i->cls == CL_FSTORE;

		mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(fp_enabled)); /* cmp byte [fp_enabled], 0 */
		b1(e, 0);
		slow_jcc(t, k, CC_E);
		emit_ea(t, i);
		/* crossing a quadword: the alignment interrupt, in exec() */
		mov_rr(e, RCX, RAX);
		alu_ri(e, ALU_AND, RCX, 15);
		alu_ri(e, ALU_CMP, RCX, 16 - i->size);
		slow_jcc(t, k, CC_A);
		emit_fast(t, k, i->size, st ? CORE_ACC_WRITE : CORE_ACC_READ);
		if (i->op == OP_STFIWX) {
			ld32(e, RCX, OFF(fpr) + 8 * (int32_t)i->rt);
			bswap(e, RCX);
			mem(e, 0, 0, 0x89, 1, RCX, RDX, RAX, 0, 0);
		} else if (st) {
			mem(e, 0, 1, 0x8b, 1, RCX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)i->rt);
			rex(e, 1, 0, 0, RCX);
			b1(e, 0x0f);
			b1(e, 0xc9); /* bswap rcx */
			mem(e, 0, 1, 0x89, 1, RCX, RDX, RAX, 0, 0);
		} else {
			mem(e, 0, 1, 0x8b, 1, RCX, RDX, RAX, 0, 0);
			rex(e, 1, 0, 0, RCX);
			b1(e, 0x0f);
			b1(e, 0xc9);
			mem(e, 0, 1, 0x89, 1, RCX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)i->rt);
		}
		if (i->attr & D_UPD)
			stg(t, i->ra, RAX);
		return true;
	}
	case OP_FPU: {
		/* fmr, fneg, fabs, fnabs without Rc: a register copy with the sign bit set as asked */
		unsigned xo = (i->word >> 1) & 0x3ff, frt = (i->word >> 21) & 31, frb = (i->word >> 11) & 31;
		unsigned opcd = i->word >> 26;

		if (opcd == 63 && xo == 583 && !(i->word & 1)) {
			/* mffs: FPSCR, zero-extended (fpu.c) */
			mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(fp_enabled));
			b1(e, 0);
			slow_jcc(t, k, CC_E);
			alu_mi(e, ALU_CMP, OFF(fp_lazy), 0);
			slow_jcc(t, k, CC_NE); /* the FPSCR to settle first: exec() */
			ld32(e, RAX, OFF(fpscr));
			mem(e, 0, 1, 0x89, 1, RAX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)frt);
			return true;
		}
		if (opcd == 63 && xo == 0 && !(i->word & 0x00600001)) {
			/*
			 * fcmpu of two numbers: CR field bf and FPSCR[FPCC] from ucomisd
			 * (NaNs, which may raise VXSNAN, in exec()); the field's bits
			 * are set around the compare as crf_post does, so an adjacent bc
			 * branches on the host flags.
			 */
			unsigned bf = (i->word >> 23) & 7, shift = 28 - 4 * bf;

			mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(fp_enabled));
			b1(e, 0);
			slow_jcc(t, k, CC_E);
			alu_mi(e, ALU_OR, OFF(fp_lazy_keep), FPCC_BITS); /* a lazy FPSCR keeps this FPCC */
			alu_ri(e, ALU_AND, R10, ~(0xfu << shift));
			ld32(e, RDI, OFF(fpscr));
			alu_ri(e, ALU_AND, RDI, ~0xf000u);
			b1(e, 0xf3);
			mem(e, 0, 0, 0x0f7e, 2, 0, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)((i->word >> 16) & 31)); /* movq xmm0 */
			b1(e, 0xf3);
			mem(e, 0, 0, 0x0f7e, 2, 1, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)frb);                  /* movq xmm1 */
			rr(e, 1, 0, 0x0f2e, 2, 0, 1); /* ucomisd xmm0, xmm1 */
			slow_jcc(t, k, CC_P);         /* unordered */
			mov_ri(e, RDX, 2u << shift);
			mov_ri(e, RSI, 4u << shift);
			cmov(e, CC_A, RDX, RSI);
			mov_ri(e, RSI, 8u << shift);
			cmov(e, CC_B, RDX, RSI);
			mov_ri(e, RCX, 0x2000);
			mov_ri(e, RAX, 0x4000);
			cmov(e, CC_A, RCX, RAX);
			mov_ri(e, RAX, 0x8000);
			cmov(e, CC_B, RCX, RAX);
			mem(e, 0, 0, 0x8d, 1, R10, R10, RDX, 0, 0); /* lea r10d, [r10 + rdx] */
			mem(e, 0, 0, 0x8d, 1, RDI, RDI, RCX, 0, 0);   /* lea edi, [rdi + rcx] */
			st32(e, OFF(fpscr), RDI);
			t->cr_dirty = true;
			t->flags_crf = (int)bf;
			t->flags_sign = false; /* below/above: the ucomisd flags */
			return true;
		}
		if ((opcd == 59 || opcd == 63) && !(i->word & 1) &&
		    ((i->word & 0x20) || (opcd == 63 && xo == 12))) {
			/*
			 * arithmetic (A-form) and frsp: in line when emit_fp_arith
			 * can, else the FPU's fast path, called directly (jit_fp)
			 */
			uint8_t *done = NULL;

			mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(fp_enabled)); /* cmp byte, 0 */
			b1(e, 0);
			slow_jcc(t, k, CC_E);
			if (fp_in_line(i->word))
				done = emit_fp_arith(t, i->word);
			push_cr_budget(t);
			mov_rr64(e, RDI, RBX);
			mov_ri(e, RSI, i->word);
			call_abs(e, (const void *)jit_fp);
			pop_cr_budget(t);
			rr(e, 0, 0, 0x85, 1, RAX, RAX);
			slow_jcc(t, k, CC_NE);
			if (done)
				patch(e, done, e->p);
			return true;
		}
		if (opcd != 63 || (i->word & 1) || (xo != 72 && xo != 40 && xo != 264 && xo != 136)) {
			/*
			 * The rest of the FPU without Rc, except the compares and mcrfs
			 * (which write CR): exec() without writing the cached GPRs back
			 * first, since these read and write only FPRs and the FPSCR.
			 */
			if ((opcd == 59 || opcd == 63) && !(i->word & 1) && xo != 0 && xo != 32 && xo != 64) {
				emit_exec_fpu(t, k);
				return true;
			}
			break;
		}
		mem(e, 0, 0, 0x80, 1, 7, RBX, -1, 0, OFF(fp_enabled)); /* cmp byte [fp_enabled], 0 */
		b1(e, 0);
		slow_jcc(t, k, CC_E);
		mem(e, 0, 1, 0x8b, 1, RAX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)frb);
		if (xo != 72) {
			/* btc (fneg), btr (fabs), bts (fnabs) rax, 63 */
			rr(e, 0, 1, 0x0fba, 2, xo == 40 ? 7 : xo == 264 ? 6 : 5, RAX);
			b1(e, 63);
		}
		mem(e, 0, 1, 0x89, 1, RAX, RBX, -1, 0, OFF(fpr) + 8 * (int32_t)frt);
		return true;
	}
	case OP_HINT: case OP_ISYNC: case OP_SYNC: case OP_MBAR:
		/* no effect on the emulated core (interp.c; isync still ends its block) */
		return true;
	case OP_DCBZ:
		emit_ea(t, i);
		alu_ri(e, ALU_AND, RAX, ~31u);
		emit_fast(t, k, 32, CORE_ACC_WRITE);
		alu_rr(e, ALU_XOR, RCX, RCX);
		for (int q = 0; q < 4; q++)
			mem(e, 0, 1, 0x89, 1, RCX, RDX, RAX, 0, 8 * q);
		return true;
	case OP_MCRF: {
		unsigned from = (7 - (i->ra >> 2)) * 4, to = (7 - (i->rt >> 2)) * 4;

		mov_rr(e, RDX, R10);
		if (from)
			sh_ri(e, SH_SHR, RDX, from);
		alu_ri(e, ALU_AND, RDX, 0xf);
		if (to)
			sh_ri(e, SH_SHL, RDX, to);
		alu_ri(e, ALU_AND, R10, ~(0xfu << to));
		alu_rr(e, ALU_OR, R10, RDX);
		t->cr_dirty = true;
		return true;
	}
	case OP_CRAND: case OP_CROR: case OP_CRXOR: case OP_CRNAND:
	case OP_CRNOR: case OP_CREQV: case OP_CRANDC: case OP_CRORC: {
		int alu = i->op == OP_CRAND || i->op == OP_CRNAND || i->op == OP_CRANDC ? ALU_AND
			  : i->op == OP_CRXOR || i->op == OP_CREQV			    ? ALU_XOR
										    : ALU_OR;

		mov_rr(e, RAX, R10);
		mov_rr(e, RCX, RAX);
		mov_rr(e, RDX, RAX);
		if (31 - i->ra)
			sh_ri(e, SH_SHR, RCX, 31 - i->ra);
		if (31 - i->rb)
			sh_ri(e, SH_SHR, RDX, 31 - i->rb);
		if (i->op == OP_CRANDC || i->op == OP_CRORC)
			rr(e, 0, 0, 0xf7, 1, 2, RDX); /* not */
		alu_rr(e, alu, RCX, RDX);
		if (i->op == OP_CRNAND || i->op == OP_CRNOR || i->op == OP_CREQV)
			rr(e, 0, 0, 0xf7, 1, 2, RCX);
		alu_ri(e, ALU_AND, RCX, 1);
		if (31 - i->rt)
			sh_ri(e, SH_SHL, RCX, 31 - i->rt);
		alu_ri(e, ALU_AND, RAX, ~(0x80000000u >> i->rt));
		alu_rr(e, ALU_OR, RAX, RCX);
		mov_rr(e, R10, RAX);
		t->cr_dirty = true;
		return true;
	}
	case OP_DIVW:
	case OP_DIVWU:
		if (i->flags & I_OE)
			break;
		/* divide by zero and 0x80000000 / -1: exec() */
		ldg(t, RCX, i->rb);
		rr(e, 0, 0, 0x85, 1, RCX, RCX);
		slow_jcc(t, k, CC_E);
		ldg(t, RAX, i->ra);
		if (i->op == OP_DIVW) {
			uint8_t *ok;

			alu_ri(e, ALU_CMP, RCX, 0xffffffffu);
			ok = jcc_fwd(e, CC_NE);
			alu_ri(e, ALU_CMP, RAX, 0x80000000u);
			slow_jcc(t, k, CC_E);
			patch(e, ok, e->p);
			b1(e, 0x99); /* cdq */
			rr(e, 0, 0, 0xf7, 1, 7, RCX); /* idiv ecx */
		} else {
			alu_rr(e, ALU_XOR, RDX, RDX);
			rr(e, 0, 0, 0xf7, 1, 6, RCX); /* div ecx */
		}
		emit_result(t, i, i->rt, RAX);
		return true;
	case OP_B:
		if (i->flags & I_LK) {
			lea_pc(e, RAX, next);
			st32(e, OFF(lr), RAX);
		}
		if (t->self_loop && to_block_start(i, k)) {
			emit_loop(t, k + 1);
			return false;
		}
		emit_flush(t);
		if (i->flags & I_AA) {
			mov_ri(e, RSI, i->imm);
			emit_dispatch(t, k + 1);
		} else {
			emit_goto(t, k + 1, (int32_t)(4 * k + i->imm), pa + (gpa_t)(int64_t)(int32_t)i->imm);
		}
		return false;
	case OP_BC:
	case OP_BCLR:
	case OP_BCCTR: {
		bool lazy_taken = false;

		/* registers are written back on the taken path only: the other may go on */
		bo = i->rt;
		if (i->op != OP_BC)
			ld32(e, RSI, i->op == OP_BCLR ? OFF(lr) : OFF(ctr));
		if (i->flags & I_LK) {
			lea_pc(e, RAX, next);
			st32(e, OFF(lr), RAX);
		}
		if (!(bo & 4) && i->op != OP_BCCTR) {
			mem(e, 0, 0, 0xff, 1, 1, RBX, -1, 0, OFF(ctr)); /* dec dword [ctr] */
			nt[nnt++] = jcc_fwd(e, bo & 2 ? CC_NE : CC_E);
		}
		if (!(bo & 16) && fl == (int)(i->ra >> 2) && (i->ra & 3) != 3 &&
		    ((bo & 4) || i->op == OP_BCCTR)) {
			/* fused: the previous instruction's comparison is still in the host flags */
			static const int cc_set[2][3] = { { CC_B, CC_A, CC_E }, { CC_L, CC_G, CC_E } };
			int cc = cc_set[t->flags_sign][i->ra & 3];

			nt[nnt++] = jcc_fwd(e, bo & 8 ? cc ^ 1 : cc);
			if (t->crf_lazy == fl) { /* taken: the field joins r10d now */
				crf_from_flags(t, (unsigned)fl, t->flags_sign);
				lazy_taken = true;
			}
		} else if (!(bo & 16)) {
			rr(e, 0, 0, 0xf7, 1, 0, R10); /* test r10d, bit */
			b4(e, 0x80000000u >> i->ra);
			nt[nnt++] = jcc_fwd(e, bo & 8 ? CC_E : CC_NE);
		}
		if (t->self_loop && to_block_start(i, k)) {
			emit_loop(t, k + 1);
		} else if (i->op == OP_BC && !(i->flags & I_AA)) {
			emit_store_dirty(t, t->dirty, t->cr_dirty || lazy_taken);
			emit_goto(t, k + 1, (int32_t)(4 * k + i->imm), pa + (gpa_t)(int64_t)(int32_t)i->imm);
		} else {
			emit_store_dirty(t, t->dirty, t->cr_dirty || lazy_taken);
			if (i->op == OP_BC)
				mov_ri(e, RSI, i->imm);
			else
				alu_ri(e, ALU_AND, RSI, ~3u);
			emit_dispatch(t, k + 1);
		}
		/* not taken: a lazy field stays out of r10d until its next compare (crf_can_wait) */
		t->crf_lazy = -1;
		for (unsigned q = 0; q < nnt; q++)
			patch(e, nt[q], e->p);
		if (nnt && k + 1 < t->b->n)
			return true; /* not taken: the block goes on (block.c), registers still cached */
		if (nnt) {
			emit_flush(t);
			emit_goto(t, k + 1, next, pa + 4);
		}
		return false;
	}
	default:
		break;
	}
	emit_generic(t, k);
	return i->cls != CL_BRANCH;
}

/* The out-of-line code of a slow path or a generic op's result (see emit_generic). */
static void emit_slow(struct tr *t, const struct slow *s)
{
	struct emit *e = &t->e;

	patch(e, s->from, e->p);
	if (s->so_shift >= 0)
		alu_ri(e, ALU_OR, R10, 1u << s->so_shift);
	else /* the fast path cannot: exec() does the whole instruction */
		emit_exec_call(t, s->k, s->dirty, s->cr_dirty);
	jmp_to(e, s->resume);
}

static void perf_map(struct core_jit *j, const uint8_t *code, size_t len, gpa_t pa)
{
	char line[96];
	int n;

	if (j->perf_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%lx %zx guest-pa-%08llx\n", (unsigned long)(uintptr_t)code,
		     len, (unsigned long long)pa);
	if (n > 0 && write(j->perf_fd, line, (size_t)n) < 0)
		j->perf_fd = -1;
}

bool jit_compile(struct core *c, struct block *b)
{
	struct core_jit *j = c->jit;
	struct tr *t = j->tr;
	unsigned k;
	bool more = true;

	t->n_slow = 0;
	t->c = c;
	t->b = b;
	t->ins = &block_cache(c)->ins[b->first];
	t->e.p = j->buf + j->used;
	t->e.end = j->buf + JIT_CODE_BYTES;
	t->e.full = false;
	choose_cache(t, b->n);
	t->dirty = 0;
	t->cr_dirty = false;
	t->flags_crf = -1;
	t->crf_lazy = -1;
	t->ca_edi = -1;
	t->self_loop = false;
	for (k = 0; k < b->n; k++)
		t->self_loop |= to_block_start(&t->ins[k], k);
	if (t->self_loop) { /* emit_loop */
		for (unsigned r = 0; r < 32; r++)
			if (t->host[r] >= 0)
				t->dirty |= 1u << r;
		t->cr_dirty = true;
	}
	emit_cache_load(t);
	t->body = t->e.p;
	for (k = 0; k < b->n && more; k++) {
		t->first_slow = t->n_slow;
		more = emit_insn(t, k, &t->ins[k]);
		/* the slow paths of instruction k resume after it */
		for (unsigned q = t->first_slow; q < t->n_slow; q++)
			if (!t->slow[q].resume)
				t->slow[q].resume = t->e.p;
	}
	if (more) { /* fell off the end: continue with the next instruction */
		emit_flush(t);
		emit_goto(t, b->n, (int32_t)(4 * b->n), b->pa + 4ull * b->n);
	}
	for (unsigned s = 0; s < t->n_slow; s++)
		emit_slow(t, &t->slow[s]);
	if (t->e.full)
		return false;
	b->jit = j->buf + j->used;
	b->jit_body = (uint16_t)(t->body - b->jit);
	cache_map(t->host, b->jit_map);
	perf_map(j, b->jit, (size_t)(t->e.p - b->jit), b->pa);
	j->used = (size_t)(t->e.p - j->buf + 15) & ~(size_t)15;
	c->stats.blocks_translated++;
	c->stats.code_bytes = j->used - j->start;
	return true;
}

int jit_run(struct core *c, struct block *b, uint64_t left, uint64_t *done, struct block **last)
{
	struct block_cache *bc = block_cache(c);
	int r;

	c->jit_block = (uint32_t)(b - bc->blk);
	r = c->jit->enter(c, b->jit, (int64_t)left, c->pc, c->fast[c->ctx.kmode]);
	*done = left - (uint64_t)(c->jit_left + BLK_MAX_INSNS);
	*last = &bc->blk[c->jit_block];
	return r;
}

int jit_init(struct core *c, int perf_fd)
{
	struct core_jit *j;
	struct emit e;
	uint8_t *entry;

	if (c->jit)
		return 0;
	pthread_once(&host_probed, probe_host);
	j = calloc(1, sizeof(*j));
	if (j)
		j->tr = calloc(1, sizeof(*j->tr));
	if (!j || !j->tr) {
		free(j);
		return -ENOMEM;
	}
	j->buf = mmap(NULL, JIT_CODE_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (j->buf == MAP_FAILED) {
		int err = errno;

		free(j->tr);
		free(j);
		return -err;
	}
	/* Translated guest code carries guest constants: keep it out of core files too. */
	madvise(j->buf, JIT_CODE_BYTES, MADV_DONTDUMP);
	j->perf_fd = perf_fd;
	e.p = j->buf;
	e.end = j->buf + JIT_CODE_BYTES;
	e.full = false;

	/* exit: save the budget left, restore the callee-saved registers, return eax */
	j->exit = e.p;
	budget_save(&e);
	alu_ri64(&e, ALU_ADD, RSP, 8);
	for (int r = R15; r >= R12; r--) {
		rex(&e, 0, 0, 0, r);
		b1(&e, 0x58u + (unsigned)(r & 7)); /* pop */
	}
	b1(&e, 0x5d); /* pop rbp */
	b1(&e, 0x5b); /* pop rbx */
	b1(&e, 0xc3);

	/* a killed block: its callers counted the budget and set r15d; leave from there */
	j->dead = e.p;
	st32(&e, OFF(pc), R15); /* chains jump with the target's EA in r15d only */
	alu_rr(&e, ALU_XOR, RAX, RAX);
	jmp_to(&e, j->exit);

	/* exec() said (eax) 1: exit before instruction ecx; 2: leave after it (c->pc set) */
	j->result = e.p;
	rr(&e, 0, 1, 0x29, 1, RCX, R11); /* sub r11, rcx */
	alu_ri(&e, ALU_CMP, RAX, 1);
	{
		uint8_t *leave = jcc_fwd(&e, CC_NE);

		jmp_to(&e, j->exit);
		patch(&e, leave, e.p);
	}
	budget_op(&e, ALU_SUB, 1);
	alu_rr(&e, ALU_XOR, RAX, RAX);
	jmp_to(&e, j->exit);

	j->dispatch = e.p;
	emit_dispatch_stub(&e, j);

	j->leave_ea = e.p;
	st32(&e, OFF(pc), RAX);
	alu_rr(&e, ALU_XOR, RAX, RAX);
	jmp_to(&e, j->exit);

	j->chain = e.p;
	emit_patch_stub(&e, j, (const void *)jit_chain);

	j->xchain = e.p;
	emit_patch_stub(&e, j, (const void *)jit_xchain);

	/* exec: rsi = insn, edx = 4 * its index; returns when exec() says go on */
	j->exec = e.p;
	b1(&e, 0x52);                  /* push rdx */
	rex(&e, 0, 0, 0, R11);
	b1(&e, 0x53);                  /* push r11 */
	alu_ri64(&e, ALU_SUB, RSP, 8); /* align the stack for the call */
	mem(&e, 0, 0, 0x8d, 1, RDX, RDX, R15, 0, 0); /* lea edx, [rdx + r15]: the PC */
	mov_rr64(&e, RDI, RBX);
	call_abs(&e, (const void *)jit_exec);
	alu_ri64(&e, ALU_ADD, RSP, 8);
	rex(&e, 0, 0, 0, R11);
	b1(&e, 0x5b);                  /* pop r11 */
	b1(&e, 0x59);                  /* pop rcx */
	rr(&e, 0, 0, 0x85, 1, RAX, RAX);
	{
		uint8_t *out = jcc_fwd(&e, CC_NE);

		b1(&e, 0xc3);          /* ret */
		patch(&e, out, e.p);
	}
	alu_ri64(&e, ALU_ADD, RSP, 8); /* drop the return address */
	sh_ri(&e, SH_SHR, RCX, 2);
	jmp_to(&e, j->result);

	/* entry(c = rdi, code = rsi, left = rdx, ea = ecx, fast = r8) */
	entry = e.p;
	b1(&e, 0x53); /* push rbx */
	b1(&e, 0x55); /* push rbp */
	for (int r = R12; r <= R15; r++) {
		rex(&e, 0, 0, 0, r);
		b1(&e, 0x50u + (unsigned)(r & 7)); /* push */
	}
	alu_ri64(&e, ALU_SUB, RSP, 8); /* calls from translated code see a 16-byte aligned stack */
	mov_rr64(&e, RBX, RDI);
	mov_rr64(&e, R11, RDX);
	alu_ri64(&e, ALU_SUB, R11, BLK_MAX_INSNS); /* the budget, biased */
	mov_rr(&e, R15, RCX);
	mov_rr64(&e, R14, R8);
	rr(&e, 0, 0, 0xff, 1, 4, RSI); /* jmp rsi */
	j->enter = (jit_entry_fn)(void *)entry;
	/* name the shared code in the perf map too (in the order it was emitted) */
	{
		const struct {
			const char *name;
			const uint8_t *at;
		} part[] = { { "jit-exit", j->exit },	      { "jit-dead", j->dead },
			     { "jit-result", j->result },     { "jit-dispatch", j->dispatch },
			     { "jit-leave", j->leave_ea },    { "jit-chain", j->chain },
			     { "jit-xchain", j->xchain },     { "jit-exec", j->exec },
			     { "jit-entry", entry },	      { NULL, e.p } };

		for (unsigned q = 0; part[q].name && j->perf_fd >= 0; q++) {
			char line[96];
			int n = snprintf(line, sizeof(line), "%lx %lx %s\n",
					 (unsigned long)(uintptr_t)part[q].at,
					 (unsigned long)(part[q + 1].at - part[q].at), part[q].name);

			if (n > 0 && write(j->perf_fd, line, (size_t)n) < 0)
				j->perf_fd = -1;
		}
	}
	j->start = j->used = (size_t)(e.p - j->buf + 15) & ~(size_t)15;
	c->jit = j;
	return 0;
}

void jit_fini(struct core *c)
{
	if (!c->jit)
		return;
	if (c->jit->perf_fd >= 0)
		close(c->jit->perf_fd);
	munmap(c->jit->buf, JIT_CODE_BYTES);
	free(c->jit->tr);
	free(c->jit);
	c->jit = NULL;
}
