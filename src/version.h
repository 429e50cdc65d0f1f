/* version — herd's version string, shown by `herd version`, in the
 * User-Agent and in every result document. */
#ifndef HERD_VERSION_H
#define HERD_VERSION_H
#define HERD_VERSION "0.1.0"
#endif
