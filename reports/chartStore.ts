import fs from 'node:fs';
import path from 'node:path';
import { chartId, isChartId, renderChartPng, type RenderedChart } from './chart';
import type { ChartSpec } from './report';

export interface ChartStoreOptions {
  /**
   * Folder where chart specs are kept so that image links in cards already sent still work after
   * a restart (a few hundred bytes each). Without it, charts live in memory only.
   */
  dir?: string;
  /** Rendered PNGs kept in memory (least recently used dropped first). */
  maxImages?: number;
  /** Chart specs kept in memory. */
  maxSpecs?: number;
  /** Spec files in `dir` older than this are deleted when the store opens; default 180 days. */
  keepDays?: number;
}

/**
 * Charts by id, for the GET /charts/<id>.png route and for data: URIs. Rendering costs tens of
 * milliseconds, so each chart is rendered once per scale and kept; concurrent requests for the
 * same chart share one rendering.
 */
export class ChartStore {
  private readonly specs = new Map<string, ChartSpec>();
  private readonly images = new Map<string, Promise<RenderedChart>>();
  private readonly maxImages: number;
  private readonly maxSpecs: number;

  constructor(private readonly options: ChartStoreOptions = {}) {
    this.maxImages = options.maxImages ?? 100;
    this.maxSpecs = options.maxSpecs ?? 2000;
    if (options.dir) {
      fs.mkdirSync(options.dir, { recursive: true });
      this.prune(options.dir, options.keepDays ?? 180);
    }
  }

  /** Old cards are rarely opened again; their charts then show as missing images, nothing worse. */
  private prune(dir: string, keepDays: number): void {
    const cutoff = Date.now() - keepDays * 86_400_000;
    for (const name of fs.readdirSync(dir)) {
      if (!/^[0-9a-f]{32}\.json$/.test(name)) continue;
      const file = path.join(dir, name);
      if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
    }
  }

  /** Keeps the chart and returns its id (a content hash: adding the same chart twice is free). */
  add(chart: ChartSpec): string {
    const id = chartId(chart);
    if (!this.specs.has(id) && this.options.dir) {
      const file = this.specFile(id);
      if (!fs.existsSync(file)) writeAtomically(file, JSON.stringify(chart));
    }
    remember(this.specs, id, chart, this.maxSpecs);
    return id;
  }

  /** The chart's PNG, or undefined for an id this store never saw. */
  async image(id: string, scale = 2): Promise<RenderedChart | undefined> {
    if (!isChartId(id)) return undefined;
    const chart = this.specs.get(id) ?? this.readSpec(id);
    if (!chart) return undefined;
    return this.render(id, chart, scale);
  }

  /** Adds the chart and renders it: for callers that inline the image. */
  async imageFor(chart: ChartSpec, scale = 2): Promise<RenderedChart & { id: string }> {
    const id = this.add(chart);
    return { id, ...(await this.render(id, chart, scale)) };
  }

  private render(id: string, chart: ChartSpec, scale: number): Promise<RenderedChart> {
    const key = `${id}@${scale}`;
    let image = this.images.get(key);
    if (!image) {
      image = renderChartPng(chart, scale);
      // A failed rendering is not cached: the next request tries again.
      image.catch(() => this.images.delete(key));
    }
    remember(this.images, key, image, this.maxImages);
    return image;
  }

  private readSpec(id: string): ChartSpec | undefined {
    if (!this.options.dir) return undefined;
    try {
      const chart = JSON.parse(fs.readFileSync(this.specFile(id), 'utf8')) as ChartSpec;
      // Only a file whose content still hashes to its name is served.
      if (chartId(chart) !== id) return undefined;
      remember(this.specs, id, chart, this.maxSpecs);
      return chart;
    } catch {
      return undefined;
    }
  }

  private specFile(id: string): string {
    return path.join(this.options.dir as string, `${id}.json`);
  }
}

/** Map insertion order as recency: re-inserting moves a key to the end; the oldest goes first. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as string);
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
