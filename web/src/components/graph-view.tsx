// A cytoscape canvas for the topology and dependency graphs. Built for ~1,000+ nodes: positions are
// computed by the caller (preset) or by a cheap built-in layout, nothing animates, labels vanish
// below a readable zoom, and edges hide while panning. Text from the network (hostnames, LLDP
// names) is drawn on the canvas as labels, never inserted as HTML. cytoscape is loaded on first use
// so the rest of the UI does not carry it.
import { useEffect, useRef, useState } from 'react';
import type { Core, ElementDefinition, LayoutOptions, StylesheetJson } from 'cytoscape';

type Cytoscape = typeof import('cytoscape');
let loading: Promise<Cytoscape> | null = null;
const loadCytoscape = (): Promise<Cytoscape> => (loading ??= import('cytoscape').then((m) => m.default));

export interface GraphViewProps {
  /** What the graph shows, for screen readers ("Topology: 2 switches, …"). */
  label: string;
  /** Every element says its group ('nodes' or 'edges'). */
  elements: ElementDefinition[];
  style: StylesheetJson;
  layout: LayoutOptions;
  /** A node was clicked (tapped); gets its data. */
  onTapNode?(data: Record<string, unknown>): void;
  /** Height of the canvas in CSS pixels. */
  height?: number;
  /** Nodes whose labels keep a readable screen size at any zoom (a few: the switches). */
  pinnedLabels?: string;
}

const PINNED_PX = 13;

export function GraphView({ label, elements, style, layout, onTapNode, height = 620, pinnedLabels }: GraphViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const tapRef = useRef(onTapNode);
  tapRef.current = onTapNode;
  const [renderMs, setRenderMs] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const t0 = performance.now();
    setRenderMs(null);
    loadCytoscape().then(
      (cytoscape) => {
        if (cancelled || !box.current) return;
        let cy = cyRef.current;
        if (!cy) {
          const big = elements.length > 500;
          cy = cytoscape({
            container: box.current,
            style,
            layout: { name: 'null' } as LayoutOptions,
            // Cheap rendering at scale: a texture while the viewport moves, no edges while panning.
            textureOnViewport: big,
            hideEdgesOnViewport: big,
            motionBlur: false,
            pixelRatio: 1,
            boxSelectionEnabled: false,
            autoungrabify: true,
            minZoom: 0.02,
            maxZoom: 4,
            wheelSensitivity: 0.3,
          });
          cy.on('tap', 'node', (e) => tapRef.current?.(e.target.data() as Record<string, unknown>));
          if (pinnedLabels) {
            const pin = (c: Core) => c.nodes(pinnedLabels).style({ 'font-size': PINNED_PX / c.zoom(), 'min-zoomed-font-size': 0 });
            cy.on('zoom', (e) => pin(e.cy));
            cy.on('layoutstop', (e) => pin(e.cy));
          }
          cyRef.current = cy;
        } else {
          cy.style(style);
        }
        const c = cy;
        c.batch(() => {
          c.elements().remove();
          c.add(elements);
        });
        c.one('render', () => !cancelled && setRenderMs(Math.round(performance.now() - t0)));
        c.layout({ ...layout, animate: false, fit: true, padding: 20 } as LayoutOptions).run();
        // An empty graph fires no render event; say it is ready anyway.
        if (elements.length === 0) setRenderMs(Math.round(performance.now() - t0));
      },
      (e: unknown) => !cancelled && setError(`The graph library did not load: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      cancelled = true;
    };
    // style and layout are constants of the caller; a new element list is what re-renders.
  }, [elements]);

  useEffect(
    () => () => {
      cyRef.current?.destroy();
      cyRef.current = null;
    },
    [],
  );

  const zoom = (f: number) => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  };
  const nodes = elements.filter((e) => e.group === 'nodes').length;
  return (
    <div className="graph">
      <div className="graph-tools" role="toolbar" aria-label={`${label} view`}>
        <button type="button" onClick={() => zoom(1.5)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoom(1 / 1.5)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => cyRef.current?.fit(undefined, 20)}>
          Fit
        </button>
        <span className="muted" role="status" data-testid="graph-status">
          {error ?? (renderMs === null ? 'Drawing…' : `${nodes.toLocaleString()} nodes, ${(elements.length - nodes).toLocaleString()} edges, drawn in ${renderMs} ms`)}
        </span>
      </div>
      <div
        ref={box}
        className="graph-canvas"
        style={{ height }}
        role="img"
        aria-label={label}
        data-state={renderMs === null ? 'drawing' : 'ready'}
        data-nodes={nodes}
        data-edges={elements.length - nodes}
        data-render-ms={renderMs ?? undefined}
      />
    </div>
  );
}
