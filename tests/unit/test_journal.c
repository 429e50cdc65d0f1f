/* test_journal.c — a journal of deltas recovers to the merge of them;
 * a torn last record is skipped and counted; a file that is not a journal
 * is refused. */
#include "t.h"
#include "journal.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void test_round_trip(void)
{
    char path[] = "/tmp/herd-test-journal-XXXXXX";
    int tmp = mkstemp(path);
    close(tmp);
    struct result *h = result_new(), *want = result_new();
    h->run_id = strdup("run-j");
    h->plan_name = strdup("j");
    h->started_unix_ms = 1700000000000;
    h->shards_total = h->shards_ok = 1;
    stats_tx_index(h->stats, "a", STATS_REQUEST);
    stats_tx_index(want->stats, "a", STATS_REQUEST);
    int fd = journal_open(path, h);
    CHECK(fd > 0);
    struct stats *d = stats_new();
    int tx = stats_tx_index(d, "a", STATS_REQUEST);
    for (int sec = 0; sec < 4; sec++) {
        for (int i = 0; i < 100; i++) {
            int64_t v = 100 + 37 * i + sec;
            stats_record(d, tx, v, v, 200, ERR_NONE, NULL, 1700000000 + sec);
            stats_record(want->stats, 0, v, v, 200, ERR_NONE, NULL, 1700000000 + sec);
        }
        d->iter_started += 10; d->iter_succeeded += 9;
        want->stats->iter_started += 10; want->stats->iter_succeeded += 9;
        CHECK(journal_append(fd, d, 1700000000000 + sec * 1000,
                             1700000001000 + sec * 1000) == 0);
        stats_reset(d);
    }
    close(fd);
    char err[256];
    int records, torn;
    struct result *r = journal_recover(path, &records, &torn, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(records, 4);
        CHECK_INT(torn, 0);
        CHECK_STR(r->run_id, "run-j");
        CHECK_INT(r->interrupted, 1);
        CHECK_INT(r->shards_total, 1);
        CHECK_INT(r->finished_unix_ms, 1700000004000);
        const struct stats_tx *a = &r->stats->tx[0], *b = &want->stats->tx[0];
        CHECK_INT(a->count, 400);
        CHECK_INT(a->min_us, b->min_us);
        CHECK_INT(a->max_us, b->max_us);
        CHECK_INT(hist_percentile(a->hist, 99), hist_percentile(b->hist, 99));
        CHECK_INT(r->stats->nsec, 4);
        /* 4 in flight at the "kill": counted as interrupted. */
        CHECK_INT(r->stats->iter_interrupted, 4);
    }
    result_free(r);
    /* Cut the last record short, as a kill mid-write would. */
    FILE *f = fopen(path, "r+");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fclose(f);
    CHECK(truncate(path, len - 20) == 0);
    r = journal_recover(path, &records, &torn, err, sizeof err);
    CHECK(r != NULL);
    CHECK_INT(records, 3);
    CHECK_INT(torn, 1);
    if (r) CHECK_INT(r->stats->tx[0].count, 300);
    result_free(r);
    /* Not a journal. */
    f = fopen(path, "w");
    fputs("{\"herd_result\": 2}\n", f);
    fclose(f);
    r = journal_recover(path, &records, &torn, err, sizeof err);
    CHECK(r == NULL);
    CHECK(strstr(err, "line 1: not a herd journal header") != NULL);
    f = fopen(path, "w");
    fclose(f);
    r = journal_recover(path, &records, &torn, err, sizeof err);
    CHECK(r == NULL);
    CHECK(strstr(err, "empty") != NULL);
    unlink(path);
    r = journal_recover(path, &records, &torn, err, sizeof err);
    CHECK(r == NULL);
    CHECK(strstr(err, "cannot read") != NULL);
    stats_free(d);
    result_free(h);
    result_free(want);
}

int main(void)
{
    T_RUN(test_round_trip);
    return T_DONE();
}
