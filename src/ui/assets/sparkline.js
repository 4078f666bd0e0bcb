/**
 * A sparkline: recent values of one figure as a line and a faint area, in an inline SVG. The
 * line spans the width as soon as there are two values and scrolls once `capacity` is
 * reached; gaps where a value was missing. The scale starts at zero unless values go below.
 */

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 120;
const HEIGHT = 32;
const PAD = 2;

/** @param {string} className */
export function createSparkline(className = 'spark') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', className);
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('aria-hidden', 'true');
  for (const part of ['area', 'line']) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('class', `spark-${part}`);
    svg.append(path);
  }
  return svg;
}

/**
 * @param {SVGSVGElement | Element} svg an element made by `createSparkline`
 * @param {(number | null)[]} values oldest first
 * @param {number} capacity how many values a full line holds
 */
export function drawSparkline(svg, values, capacity) {
  const [area, line] = svg.children;
  const finite = /** @type {number[]} */ (values.filter((v) => v !== null));
  if (finite.length < 2) {
    area.setAttribute('d', '');
    line.setAttribute('d', '');
    return;
  }
  const lo = Math.min(0, ...finite);
  const hi = Math.max(...finite);
  const span = hi > lo ? hi - lo : 1;
  const step = (WIDTH - 2 * PAD) / Math.max(1, Math.min(capacity, values.length) - 1);
  const x = (/** @type {number} */ i) => (PAD + i * step).toFixed(1);
  const y = (/** @type {number} */ v) =>
    (HEIGHT - PAD - ((v - lo) / span) * (HEIGHT - 2 * PAD)).toFixed(1);
  let d = '';
  let fill = '';
  /** @type {number[]} */
  let run = [];
  const closeRun = () => {
    if (run.length > 0) {
      const base = y(lo);
      fill += `M${x(run[0])},${base}${run.map((i) => `L${x(i)},${y(/** @type {number} */ (values[i]))}`).join('')}L${x(run[run.length - 1])},${base}Z`;
    }
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null) return closeRun();
    d += `${run.length === 0 ? 'M' : 'L'}${x(i)},${y(v)}`;
    run.push(i);
  });
  closeRun();
  line.setAttribute('d', d);
  area.setAttribute('d', fill);
}
