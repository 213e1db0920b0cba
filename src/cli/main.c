/* main.c — `vigil`: the command table, global options and dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const vg_cmd commands[] = {
    {"demo", "run the built-in November 2020 scenario end to end", vg_usage_demo, vg_cmd_demo},
    {"scan", "ingest mail and sign-in logs, detect, attribute, store and notify", vg_usage_scan,
     vg_cmd_scan},
    {"mail", "analyse messages for spear-phishing and print verdicts", vg_usage_mail, vg_cmd_mail},
    {"signins", "analyse sign-in logs for brute force, spray, stuffing and compromise",
     vg_usage_signins, vg_cmd_signins},
    {"intel", "actor catalog, indicators and threat reports", vg_usage_intel, vg_cmd_intel, true},
    {"notify", "re-render and re-deliver pending notifications", vg_usage_notify, vg_cmd_notify},
    {"version", "print vigil's version and the versions of its libraries", vg_usage_version,
     vg_cmd_version},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const vg_cmd *vg_cli_find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int vg_cli_usage_error(const vg_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vigil %s: ", cmd ? cmd->name : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "Run 'vigil help %s' for usage.\n", cmd->name);
    return VG_EXIT_USAGE;
}

bool vg_cli_wants_help(const vg_cmd *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(cmd->usage, stdout);
            return true;
        }
    }
    return false;
}

static void print_help(FILE *f)
{
    fputs("usage: vigil [--log-level LEVEL] COMMAND [ARGS...]\n\n"
          "Detects nation-state intrusion campaigns in mail and sign-in logs, attributes\n"
          "them to tracked actors and notifies every targeted organization.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nGlobal options:\n"
          "  --log-level LEVEL  debug, info, warn (default), error or quiet\n"
          "  -h, --help         this text; 'vigil help COMMAND' for a command\n\n"
          "Exit codes: 0 success, 1 findings reported (where a command says so),\n"
          "2 usage error, 3 input or I/O error.\n",
          f);
}

int main(int argc, char **argv)
{
    vg_log_set_level(VG_LOG_WARN);
    const char *env = getenv("VIGIL_LOG");
    vg_log_level lvl;
    if (env && vg_log_parse_level(env, &lvl))
        vg_log_set_level(lvl);

    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_help(stdout);
            return VG_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            return vg_cmd_version(1, (char *[]){"version", NULL});
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            if (!vg_log_parse_level(argv[i + 1], &lvl)) {
                fprintf(stderr, "vigil: unknown log level '%s'\n", argv[i + 1]);
                return VG_EXIT_USAGE;
            }
            vg_log_set_level(lvl);
            i += 2;
        } else {
            fprintf(stderr, "vigil: unknown option '%s'\n", argv[i]);
            print_help(stderr);
            return VG_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        print_help(stderr);
        return VG_EXIT_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        if (i + 1 >= argc) {
            print_help(stdout);
            return VG_EXIT_OK;
        }
        const vg_cmd *c = vg_cli_find(argv[i + 1]);
        if (!c) {
            fprintf(stderr, "vigil help: unknown command '%s'\n", argv[i + 1]);
            return VG_EXIT_USAGE;
        }
        fputs(c->usage, stdout);
        return VG_EXIT_OK;
    }
    const vg_cmd *c = vg_cli_find(name);
    if (!c) {
        fprintf(stderr, "vigil: unknown command '%s'\n\n", name);
        print_help(stderr);
        return VG_EXIT_USAGE;
    }
    bool sub = c->subcommands && i + 1 < argc && argv[i + 1][0] != '-';
    if (!sub && vg_cli_wants_help(c, argc - i, argv + i))
        return VG_EXIT_OK;
    return c->run(argc - i, argv + i);
}
