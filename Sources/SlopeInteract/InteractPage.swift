/// The page `slope interact` serves at `/`: one self-contained HTML document (its style and
/// script inline, nothing loaded from elsewhere) that draws the points and the curve as SVG,
/// shows one slider per parameter, the loss, and the Step, Run, Reset and New points buttons.
/// Every number on it comes from the server's JSON API.
///
/// ```swift
/// print(InteractPage.html.count)   // the page's size in characters
/// ```
public enum InteractPage {
    /// The whole page.
    public static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>Slope · fit by hand</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)
        <script>
        \(script)
        </script>
        </body>
        </html>
        """

    /// The document's body: the chart, the loss, the parameter table and the controls.
    static let body = """
        <header>
          <h1>Slope · fit by hand</h1>
          <p>Fit <code id="formula">…</code> to the points: move the sliders and watch the loss,
          or let gradient descent do it.</p>
        </header>
        <main>
          <section class="figure">
            <svg id="chart" viewBox="0 0 640 420" role="img" aria-label="the points and the fitted curve">
              <defs><clipPath id="plot-area"><rect id="plot-rect" x="0" y="0" width="0" height="0"></rect></clipPath></defs>
              <g id="axes"></g>
              <g id="points"></g>
              <path id="curve" d="" clip-path="url(#plot-area)"></path>
            </svg>
            <p class="loss-line">
              <label>Loss <select id="loss-kind"><option value="mse">MSE</option><option value="mae">MAE</option></select></label>
              <span id="loss" data-value="">…</span>
              <span class="muted">after <span id="steps">0</span> steps</span>
            </p>
            <svg id="history" viewBox="0 0 640 110" role="img" aria-label="the loss at each step"></svg>
          </section>
          <section class="controls">
            <table id="params">
              <thead>
                <tr><th>parameter</th><th></th><th>value</th><th title="∂loss/∂parameter at the current values">slope now</th>
                    <th title="the slope the last step moved along">last step: slope</th>
                    <th title="the last step's move, −lr × slope">move −lr·slope</th></tr>
              </thead>
              <tbody></tbody>
            </table>
            <div class="settings">
              <label>learning rate <input id="lr" type="number" value="0.01" min="0" step="any"></label>
              <label>Run stops when the loss improves by less than <input id="tol" type="number" value="0.0001" min="0" step="any">
                over <input id="window" type="number" value="20" min="1" step="1"> steps, or after
                <input id="max-steps" type="number" value="5000" min="1" step="1"> steps</label>
            </div>
            <div class="buttons">
              <button id="step" type="button" title="one gradient-descent step">Step</button>
              <button id="run" type="button" title="step until the stopping rule">Run</button>
              <button id="reset" type="button" title="back to the starting values">Reset</button>
              <button id="new-points" type="button" title="draw new noisy points">New points</button>
            </div>
            <p id="message" role="status"></p>
            <p id="data-source" class="muted"></p>
          </section>
        </main>
        """
}
