/* The auditors' commands of bin/pipeline (archive.c). */
#ifndef ARCHIVE_H
#define ARCHIVE_H

/* bin/pipeline archive list|show|verify|extract|search ... (exit code). */
int cmd_archive(int argc, char **argv);

#endif
