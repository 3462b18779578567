/// The console's one stylesheet (`/ui/console.css`): system fonts, no web fonts or
/// CDNs; readable from a phone to a laptop; WCAG AA contrast in light and dark
/// schemes; status shown by words and shapes as well as colour; visible focus.
enum ConsoleStyle {
    static let css = """
    :root { --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
      --link: #0550ae; --ok: #116329; --ok-bg: #dafbe1; --bad: #a40e26; --bad-bg: #ffebe9;
      --wait: #7d4e00; --wait-bg: #fff8c5; --focus: #0969da; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #161b22;
        --link: #79c0ff; --ok: #7ee787; --ok-bg: #12261e; --bad: #ffa198; --bad-bg: #2d1214;
        --wait: #e3b341; --wait-bg: #2b2111; --focus: #58a6ff; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg);
      font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
    a { color: var(--link); }
    a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
      outline: 3px solid var(--focus); outline-offset: 2px; }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 2; }
    header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between;
      padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
    .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
    .signout { display: flex; gap: .5rem; align-items: center; margin: 0; }
    .who { color: var(--muted); overflow-wrap: anywhere; }
    main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
    h1 { font-size: 1.6rem; overflow-wrap: anywhere; }
    h2 { font-size: 1.25rem; margin-top: 2rem; }
    code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9rem; }
    pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem;
      overflow-x: auto; margin: .25rem 0; }
    pre.message { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
    pre.error { border-color: var(--bad); background: var(--bad-bg); white-space: pre-wrap; }
    nav.crumbs { max-width: 72rem; margin: 0 auto; padding: .75rem 1rem 0; }
    .crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; padding: 0; margin: 0 0 1rem; }
    .crumbs li + li::before { content: "/"; color: var(--muted); margin-right: .25rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    thead th { font-size: .85rem; color: var(--muted); }
    tr.failing th, tr.failing td { background: var(--bad-bg); }
    .badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; border: 1px solid var(--line); font-size: .8rem; white-space: nowrap; }
    .badge.ready { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
    .badge.ready::before { content: "✓ "; }
    .badge.failing { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); font-weight: 700; }
    .badge.failing::before { content: "✗ "; }
    .badge.pending { color: var(--wait); background: var(--wait-bg); border-color: var(--wait); }
    .badge.pending::before { content: "… "; }
    .badge.added { color: var(--ok); } .badge.removed { color: var(--bad); } .badge.modified { color: var(--wait); }
    .condition { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: .25rem 1rem 1rem; }
    .condition.failing { border-color: var(--bad); } .condition.ready { border-color: var(--ok); }
    .condition.pending { border-color: var(--wait); }
    dl { display: grid; grid-template-columns: minmax(7rem, max-content) 1fr; gap: .35rem 1rem; }
    dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
    @media (max-width: 40rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .5rem; } }
    .notice { padding: .75rem 1rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); }
    .notice.error { border-color: var(--bad); background: var(--bad-bg); color: var(--fg); }
    .muted { color: var(--muted); }
    .summary strong { color: var(--bad); }
    form.filter, form.signin, form.render { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 1rem 0; }
    form.signin, form.render { flex-direction: column; align-items: stretch; max-width: 40rem; }
    input, select, textarea, button { font: inherit; padding: .4rem .6rem; border: 1px solid var(--muted);
      border-radius: 6px; background: var(--bg); color: var(--fg); }
    textarea { font-family: ui-monospace, Menlo, Consolas, monospace; }
    button { background: var(--link); color: var(--bg); border-color: var(--link); cursor: pointer; font-weight: 600; }
    details.member > summary, section.file summary { cursor: pointer; }
    details.member { margin-left: 1rem; }
    details.member > pre { margin: 0 0 .25rem; }
    details.member > summary code { white-space: pre; }
    .pager { display: flex; gap: .5rem; flex-wrap: wrap; margin: .5rem 0; }
    .pager [aria-current] { font-weight: 700; }
    pre.diff span { display: block; }
    pre.diff .ins { color: var(--ok); background: var(--ok-bg); }
    pre.diff .del { color: var(--bad); background: var(--bad-bg); }
    pre.diff .hunk { color: var(--muted); }
    pre.diff .head { font-weight: 700; }
    pre.excerpt mark { background: var(--bad-bg); color: var(--fg); font-weight: 700; display: block; }
    pre.excerpt span { display: block; }
    ul.plain { margin: 0; padding-left: 1rem; }
    .hint { color: var(--muted); margin: 0; }
    """
}
