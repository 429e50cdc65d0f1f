/* init — `herd init`: a commented starter plan to edit.
 *
 * main.c parses the flags into struct init_args; init_main asks on a
 * terminal for what they leave out (defaults otherwise), builds the plan
 * from the chosen template (browse: one GET; celery: POST a job, poll
 * until SUCCESS), checks it parses, and writes it. Returns the process
 * exit code (exitcode.h). Main thread only. */
#ifndef HERD_INIT_H
#define HERD_INIT_H

struct init_args {
    const char *name, *url, *users, *duration, *template;  /* NULL: ask */
    const char *out;             /* the plan file to write */
    int force;                   /* overwrite out if it exists */
};

int init_main(const struct init_args *a);
#endif
