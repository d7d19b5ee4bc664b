#include "textflag.h"

// func callerFP() uintptr
// Frameless, so BP is still the frame pointer of the Go caller.
TEXT ·callerFP(SB),NOSPLIT,$0-8
	MOVQ BP, ret+0(FP)
	RET
