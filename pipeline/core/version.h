#ifndef VERSION_H
#define VERSION_H
/* Recorded in the run ledger with every stage run. */
#define PIPELINE_VERSION "0.1.0"
#endif
