extension InteractPage {
    /// The page's style sheet: two columns (figure, controls) that stack on narrow screens.
    static let style = """
        :root { --ink: #1d2733; --muted: #637083; --line: #d5dbe3; --accent: #2563eb; --points: #e4572e;
                --warn: #b42318; --panel: #f6f8fa; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fff; }
        header { padding: 14px 24px 4px; border-bottom: 1px solid var(--line); }
        h1 { margin: 0 0 4px; font-size: 1.35rem; }
        header p { margin: 0 0 8px; color: var(--muted); }
        code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; color: var(--ink);
               background: var(--panel); padding: 1px 5px; border-radius: 4px; }
        main { display: flex; flex-wrap: wrap; gap: 24px; padding: 16px 24px; align-items: flex-start; }
        .figure { flex: 1 1 560px; max-width: 720px; }
        .controls { flex: 1 1 420px; }
        svg { width: 100%; height: auto; display: block; background: #fff; }
        #chart { border: 1px solid var(--line); border-radius: 6px; }
        #history { margin-top: 6px; }
        .grid { stroke: #eef1f5; }
        .axis { stroke: #8a96a8; }
        .tick { fill: var(--muted); font-size: 11px; }
        .axis-title { fill: var(--muted); font-size: 12px; }
        .point { fill: var(--points); fill-opacity: 0.85; stroke: #fff; stroke-width: 1; }
        #curve { fill: none; stroke: var(--accent); stroke-width: 2.5; stroke-linejoin: round; }
        .history-line { fill: none; stroke: var(--accent); stroke-width: 1.5; }
        .loss-line { display: flex; gap: 12px; align-items: baseline; margin: 10px 0 0; font-size: 1.05rem; }
        #loss { font-weight: 650; font-variant-numeric: tabular-nums; font-size: 1.3rem; }
        .muted { color: var(--muted); font-size: 0.9rem; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th { text-align: left; font-weight: 600; font-size: 0.8rem; color: var(--muted); padding: 4px 6px;
             border-bottom: 1px solid var(--line); }
        td { padding: 3px 6px; border-bottom: 1px solid #f0f2f5; font-size: 0.92rem; white-space: nowrap; }
        td.name { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 600; }
        td.slider { width: 38%; }
        td.slider input { width: 100%; }
        td.num { text-align: right; font-family: ui-monospace, Menlo, Consolas, monospace; }
        .settings { margin: 14px 0 8px; display: grid; gap: 8px; }
        .settings input { width: 6.5em; padding: 3px 5px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
        .buttons { display: flex; gap: 8px; flex-wrap: wrap; }
        button { font: inherit; padding: 6px 16px; border-radius: 6px; border: 1px solid var(--line);
                 background: var(--panel); cursor: pointer; }
        button:hover:not(:disabled) { border-color: var(--accent); }
        button:disabled { opacity: 0.5; cursor: default; }
        #step, #run { background: var(--accent); color: #fff; border-color: var(--accent); }
        #message { min-height: 1.4em; margin: 10px 0 0; }
        #message.warn { color: var(--warn); font-weight: 600; }
        """
}
