/* svg.c — the inline SVG timeline: attempts per day, stacked by outcome
 * (succeeded, blocked, other). No script, no external reference; every
 * label is generated here (dates and numbers), never taken from input. */
#include "notify/notify_int.h"

#define W 720
#define H 200
#define PAD_L 44
#define PAD_R 12
#define PAD_T 16
#define PAD_B 40

#define DAY_MS 86400000LL

void vg_timeline_svg(const vg_timeline *t, vg_buf *o)
{
    /* Days from the first to the last, gaps included, so the x axis is time. */
    int64_t first = t->n ? t->v[0].day_ms : 0, last = t->n ? t->v[t->n - 1].day_ms : 0;
    int64_t ndays = t->n ? (last - first) / DAY_MS + 1 : 1;
    int64_t maxv = 1;
    for (size_t i = 0; i < t->n; i++) {
        int64_t s = t->v[i].attempted + t->v[i].blocked + t->v[i].succeeded;
        if (s > maxv)
            maxv = s;
    }
    double plot_w = W - PAD_L - PAD_R, plot_h = H - PAD_T - PAD_B;
    double slot = plot_w / (double)ndays;
    double bar = slot * 0.8 < 1 ? 1 : slot * 0.8;
    vg_buf_printf(o,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Attempts per day "
                  "by outcome\">\n",
                  W, H, W, H);
    vg_buf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", PAD_L,
                  H - PAD_B, W - PAD_R, H - PAD_B);
    vg_buf_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", PAD_L,
                  PAD_T, PAD_L, H - PAD_B);
    vg_buf_printf(o,
                  "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%lld</text>\n"
                  "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">0</text>\n",
                  PAD_L - 4, PAD_T + 8, (long long)maxv, PAD_L - 4, H - PAD_B);
    for (size_t i = 0; i < t->n; i++) {
        const vg_day *d = &t->v[i];
        double x = PAD_L + (double)((d->day_ms - first) / DAY_MS) * slot + (slot - bar) / 2;
        double y = H - PAD_B;
        char day[16];
        vg_fmt_day(d->day_ms, day);
        vg_buf_printf(o, "<g><title>%s: %lld succeeded, %lld blocked, %lld other attempts</title>",
                      day, (long long)d->succeeded, (long long)d->blocked,
                      (long long)d->attempted);
        const struct {
            int64_t v;
            const char *color;
        } seg[] = {{d->blocked, "#8c959f"}, {d->attempted, "#2f74c0"}, {d->succeeded, "#c62828"}};
        for (size_t k = 0; k < 3; k++) {
            if (seg[k].v <= 0)
                continue;
            double h = plot_h * (double)seg[k].v / (double)maxv;
            if (h < 1)
                h = 1;
            y -= h;
            vg_buf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                          x, y, bar, h, seg[k].color);
        }
        vg_buf_puts(o, "</g>\n");
    }
    /* Date labels: first, last and about every sixth of the span. */
    int64_t step = ndays / 6 + 1;
    for (int64_t i = 0; i < ndays; i += step) {
        char day[16];
        vg_fmt_day(first + i * DAY_MS, day);
        double x = PAD_L + (double)i * slot + slot / 2;
        vg_buf_printf(o, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>\n",
                      x, H - PAD_B + 14, day + 5);
    }
    int ly = H - 10;
    vg_buf_printf(o,
                  "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#c62828\"/>"
                  "<text x=\"%d\" y=\"%d\" font-size=\"11\">succeeded</text>\n"
                  "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#8c959f\"/>"
                  "<text x=\"%d\" y=\"%d\" font-size=\"11\">blocked or failed</text>\n"
                  "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#2f74c0\"/>"
                  "<text x=\"%d\" y=\"%d\" font-size=\"11\">other attempts (delivered mail, "
                  "unknown outcome)</text>\n",
                  PAD_L, ly - 9, PAD_L + 14, ly, PAD_L + 100, ly - 9, PAD_L + 114, ly,
                  PAD_L + 240, ly - 9, PAD_L + 254, ly);
    vg_buf_puts(o, "</svg>\n");
}
