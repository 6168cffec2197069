// Charts as standalone SVG (and PNG rendered from that SVG), for export out of VS Code: the colours
// are resolved from the current theme at export time, so the file looks like the panel did.
import type { Host } from './host';
import { button } from './controls';
import { el } from './host';

interface Palette {
  readonly fg: string;
  readonly bg: string;
  readonly accent: string;
  readonly series: readonly string[];
}

function palette(): Palette {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-foreground', '#1f1f1f'),
    bg: v('--vscode-editor-background', '#ffffff'),
    accent: v('--vscode-charts-blue', '#1a85ff'),
    series: [
      v('--vscode-charts-blue', '#1a85ff'),
      v('--vscode-charts-purple', '#652d90'),
      v('--vscode-charts-green', '#388a34'),
    ],
  };
}

const escape = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

function svg(width: number, height: number, p: Palette, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="${p.bg}"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** A heatmap with the value printed in each cell; `max` maps to full colour; NaN cells stay empty. */
export function heatmapSvg(
  title: string,
  rowLabels: readonly string[],
  colLabels: readonly string[],
  values: readonly (readonly number[])[],
  max: number,
  format: (v: number) => string = (v) => v.toFixed(1),
): string {
  const p = palette();
  const cw = 64;
  const ch = 24;
  const left = 12 + 7 * Math.max(4, ...rowLabels.map((l) => l.length));
  const top = 48;
  const width = left + cw * colLabels.length + 12;
  const height = top + ch * rowLabels.length + 12;
  const body = [`<text x="12" y="18" fill="${p.fg}" font-weight="bold">${escape(title)}</text>`];
  colLabels.forEach((c, j) =>
    body.push(
      `<text x="${left + j * cw + cw / 2}" y="${top - 8}" fill="${p.fg}" text-anchor="middle">${escape(c)}</text>`,
    ),
  );
  rowLabels.forEach((r, i) => {
    body.push(
      `<text x="${left - 6}" y="${top + i * ch + 16}" fill="${p.fg}" text-anchor="end">${escape(r)}</text>`,
    );
    (values[i] ?? []).forEach((v, j) => {
      const x = left + j * cw;
      const y = top + i * ch;
      const opacity = Number.isFinite(v) ? Math.max(0, Math.min(1, v / (max || 1))) * 0.8 : 0;
      body.push(
        `<rect x="${x}" y="${y}" width="${cw}" height="${ch}" fill="${p.accent}" fill-opacity="${opacity.toFixed(3)}" stroke="${p.fg}" stroke-opacity="0.2"/>`,
      );
      if (Number.isFinite(v))
        body.push(
          `<text x="${x + cw - 6}" y="${y + 16}" fill="${p.fg}" text-anchor="end">${escape(format(v))}</text>`,
        );
    });
  });
  return svg(width, height, p, body);
}

/** Grouped horizontal bars (0-100) with their values: one group per label, one bar per series. */
export function barsSvg(
  title: string,
  labels: readonly string[],
  series: readonly { readonly name: string; readonly values: readonly (number | undefined)[] }[],
): string {
  const p = palette();
  const left = 12 + 7 * Math.max(8, ...labels.map((l) => l.length), ...series.map((s) => s.name.length));
  const barW = 400;
  const bh = 16;
  const groupH = series.length * (bh + 2) + 22;
  const width = left + barW + 60;
  const height = 40 + labels.length * groupH;
  const body = [`<text x="12" y="18" fill="${p.fg}" font-weight="bold">${escape(title)}</text>`];
  labels.forEach((label, g) => {
    const y0 = 36 + g * groupH;
    body.push(`<text x="12" y="${y0 + 12}" fill="${p.fg}" font-weight="bold">${escape(label)}</text>`);
    series.forEach((s, i) => {
      const v = s.values[g];
      if (v === undefined) return;
      const y = y0 + 18 + i * (bh + 2);
      body.push(
        `<text x="${left - 6}" y="${y + 12}" fill="${p.fg}" text-anchor="end">${escape(s.name)}</text>`,
        `<rect x="${left}" y="${y}" width="${((barW * v) / 100).toFixed(1)}" height="${bh}" fill="${p.series[i % p.series.length] ?? p.accent}"/>`,
        `<text x="${left + (barW * v) / 100 + 4}" y="${y + 12}" fill="${p.fg}">${v.toFixed(1)}</text>`,
      );
    });
  });
  return svg(width, height, p, body);
}

/** Renders an SVG to a PNG data URL (through an image and a canvas, at 2x for sharp text). */
export function svgToPng(svgText: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = image.width * 2;
      canvas.height = image.height * 2;
      const context = canvas.getContext('2d');
      if (context === null) {
        reject(new Error('no 2D canvas'));
        return;
      }
      context.scale(2, 2);
      context.drawImage(image, 0, 0);
      resolve(canvas.toDataURL('image/png'));
    };
    image.onerror = () => reject(new Error('the chart could not be rendered to PNG'));
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  });
}

/** "SVG" and "PNG" buttons that hand the chart to the host's save dialog. */
export function exportButtons(host: Host, name: string, label: string, make: () => string): HTMLElement {
  const asSvg = button(
    'SVG',
    () => host.post('exportFile', { suggestedName: `${name}.svg`, content: make(), encoding: 'utf8' }),
    { ariaLabel: `Export ${label} as SVG`, secondary: true, small: true },
  );
  const asPng = button(
    'PNG',
    () => {
      void svgToPng(make()).then((content) =>
        host.post('exportFile', { suggestedName: `${name}.png`, content, encoding: 'dataUrl' }),
      );
    },
    { ariaLabel: `Export ${label} as PNG`, secondary: true, small: true },
  );
  return el('span', { class: 'export' }, asSvg, asPng);
}
