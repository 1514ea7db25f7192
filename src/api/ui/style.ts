/** The UI's stylesheet (`/ui/app.css`); uPlot's own comes from the package. */
export const UI_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2733; }
header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; padding: .6rem 1.5rem; background: #f4f6f9; border-bottom: 1px solid #dde3ea; }
nav { display: flex; gap: 1rem; align-items: baseline; }
nav strong { font-size: 1.1rem; margin-right: .5rem; }
nav a { color: #1f4f8f; text-decoration: none; padding: .15rem .1rem; }
nav a[aria-current="page"] { font-weight: 600; border-bottom: 2px solid #1f6feb; }
#token-box summary { cursor: pointer; color: #3c4b5c; }
#token-box form { margin: .4rem 0 0; }
#token-state { color: #5b6b7c; }
main { padding: 1rem 1.5rem 2rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; word-break: break-all; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
.sub { color: #5b6b7c; margin-bottom: .75rem; }
form { margin: .75rem 0 1rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
form.grid { display: grid; grid-template-columns: max-content minmax(12rem, 28rem); gap: .4rem .75rem; }
input, select { font: inherit; padding: .3rem .5rem; }
#ask input, #filter { min-width: 22rem; }
button { font: inherit; padding: .3rem .8rem; cursor: pointer; }
#answer { padding: .6rem .8rem; border-radius: 4px; background: #eef4fb; margin-bottom: 1rem; }
#answer.missing { background: #fbf0e6; }
.notice { padding: .6rem .8rem; border-radius: 4px; margin: .5rem 0 1rem; }
.notice.empty { background: #fff7e0; border: 1px solid #f0d890; }
.notice.error { background: #fdecea; border: 1px solid #f1a9a0; color: #8a1c0b; }
.notice.ok { background: #e9f7ee; border: 1px solid #9fd5b1; }
[hidden] { display: none !important; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde3ea; white-space: nowrap; }
th { background: #f4f6f9; position: sticky; top: 0; }
th[data-sort] { cursor: pointer; text-decoration: underline dotted; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
a.job { color: #1f4f8f; }
.down { color: #1b7f3b; } .up { color: #b4381c; }
.critical { font-weight: 600; color: #b4381c; }
td.state.firing { color: #b4381c; font-weight: 600; } td.state.resolved { color: #1b7f3b; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: .5rem 0 1rem; }
.card { border: 1px solid #dde3ea; border-radius: 6px; padding: .5rem .8rem; min-width: 11rem; }
.card dt { color: #5b6b7c; font-size: .85rem; } .card dd { margin: 0; font-size: 1.1rem; font-variant-numeric: tabular-nums; }
.chart { min-height: 2rem; max-width: 1100px; }
`;
