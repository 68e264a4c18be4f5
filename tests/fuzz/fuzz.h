/*
 * libFuzzer targets (make fuzz, tests/fuzz/run.sh): each fuzz-NAME.c
 * defines LLVMFuzzerTestOneInput over one parser of input text. Built with
 * clang, ASan and UBSan (build/fuzz); run from the top of the tree (the
 * schema targets read schemas/).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
