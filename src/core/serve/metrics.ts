/** Latency histogram buckets in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  route: string;
  status: number;
  count: number;
  sum: number;
  buckets: number[];
}

export interface ModelInfo {
  name: string;
  version: string;
  provider: string;
  sha256: string;
}

/** Request counts and latency by route and status, written as Prometheus text. */
export class ServeMetrics {
  private readonly series = new Map<string, Series>();
  private info: ModelInfo | undefined;
  private readonly sections: { render(): string[] }[] = [];
  /** Requests received and not yet answered. */
  inFlight = 0;

  /** Adds metrics written after these (the models' latency, the shadow's agreement). */
  add(section: { render(): string[] }): void {
    this.sections.push(section);
  }

  setModelInfo(info: ModelInfo): void {
    this.info = info;
  }

  observe(route: string, status: number, seconds: number): void {
    const key = `${route}\u0000${status}`;
    let s = this.series.get(key);
    if (!s) {
      s = { route, status, count: 0, sum: 0, buckets: LATENCY_BUCKETS.map(() => 0) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) s.buckets[i]!++;
    });
  }

  render(): string {
    const lines: string[] = [];
    const all = [...this.series.values()].sort((a, b) =>
      a.route === b.route ? a.status - b.status : a.route < b.route ? -1 : 1,
    );
    lines.push('# HELP modelship_requests_total HTTP requests answered, by route and status.');
    lines.push('# TYPE modelship_requests_total counter');
    for (const s of all) {
      lines.push(`modelship_requests_total{${labels(s)}} ${s.count}`);
    }
    lines.push('# HELP modelship_request_duration_seconds Time to answer a request.');
    lines.push('# TYPE modelship_request_duration_seconds histogram');
    for (const s of all) {
      LATENCY_BUCKETS.forEach((bound, i) => {
        lines.push(
          `modelship_request_duration_seconds_bucket{${labels(s)},le="${bound}"} ${s.buckets[i]}`,
        );
      });
      lines.push(`modelship_request_duration_seconds_bucket{${labels(s)},le="+Inf"} ${s.count}`);
      lines.push(`modelship_request_duration_seconds_sum{${labels(s)}} ${s.sum}`);
      lines.push(`modelship_request_duration_seconds_count{${labels(s)}} ${s.count}`);
    }
    lines.push('# HELP modelship_requests_in_flight Requests received and not yet answered.');
    lines.push('# TYPE modelship_requests_in_flight gauge');
    lines.push(`modelship_requests_in_flight ${this.inFlight}`);
    lines.push('# HELP modelship_model_info The model being served.');
    lines.push('# TYPE modelship_model_info gauge');
    if (this.info) {
      const i = this.info;
      lines.push(
        `modelship_model_info{name="${escapeLabel(i.name)}",version="${escapeLabel(i.version)}",provider="${escapeLabel(i.provider)}",sha256="${escapeLabel(i.sha256)}"} 1`,
      );
    }
    for (const section of this.sections) lines.push(...section.render());
    return `${lines.join('\n')}\n`;
  }
}

function labels(s: Series): string {
  return `route="${escapeLabel(s.route)}",status="${s.status}"`;
}

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
