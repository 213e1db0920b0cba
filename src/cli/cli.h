/* cli.h — the vigil command table and shared helpers for subcommands.
 * Each subcommand lives in its own cmd_<name>.c and only wires modules
 * together: no detection logic here (DESIGN.md). */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include "vigil/core.h"

/* Exit codes (README "Exit codes"). */
enum { VG_EXIT_OK = 0, VG_EXIT_FINDINGS = 1, VG_EXIT_USAGE = 2, VG_EXIT_INPUT = 3 };

typedef struct vg_cmd {
    const char *name;
    const char *summary; /* one line for `vigil --help` */
    const char *usage;   /* full text for `vigil help NAME` and `NAME --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    bool subcommands; /* `CMD SUB --help` is SUB's help, handled by run() */
} vg_cmd;

const vg_cmd *vg_cli_find(const char *name);
/* Prints "vigil NAME: msg" and the usage line to stderr; returns VG_EXIT_USAGE. */
int vg_cli_usage_error(const vg_cmd *cmd, const char *fmt, ...) VG_PRINTF(2, 3);
/* True if argv has -h/--help; prints the command's usage to stdout. */
bool vg_cli_wants_help(const vg_cmd *cmd, int argc, char **argv);

/* Subcommands, one file each. */
int vg_cmd_demo(int argc, char **argv);
int vg_cmd_scan(int argc, char **argv);
int vg_cmd_mail(int argc, char **argv);
int vg_cmd_signins(int argc, char **argv);
int vg_cmd_intel(int argc, char **argv);
int vg_cmd_intel_report(int argc, char **argv); /* `vigil intel report`, cmd_intel_report.c */
int vg_cmd_notify(int argc, char **argv);
int vg_cmd_version(int argc, char **argv);

/* The end-of-run summary of `vigil scan` (also printed by `vigil notify`). */
struct vg_scan_summary;
int vg_scan_print(const struct vg_scan_summary *s, bool json);

extern const char vg_usage_demo[], vg_usage_scan[], vg_usage_mail[], vg_usage_signins[],
    vg_usage_intel[], vg_usage_notify[], vg_usage_version[];

#endif
