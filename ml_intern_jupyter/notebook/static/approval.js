// The approval card of ml-intern-jupyter (an anywidget view).
// A click sends what is on screen at that moment: the decision, the feedback text and the
// (possibly edited) code, in one message. Nothing depends on widget state syncing first.

const ICONS = {
  ask: '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M8 4.2v4.6M8 10.9v.9" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg>',
  ok: '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 8.5l3.2 3.2L13 4.8" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  no: '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
  stop: '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><rect x="4" y="4" width="8" height="8" rx="1.5" fill="currentColor"/></svg>',
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function codeText(text) {
  // `name` spans in Markdown-ish warnings become <code>
  const span = el("span");
  text.split(/(`[^`]+`)/).forEach((part) => {
    span.append(part.startsWith("`") && part.endsWith("`") ? el("code", {}, part.slice(1, -1)) : part);
  });
  return span;
}

function keepKeys(control) {
  // JupyterLab's notebook shortcuts (Enter, arrows, a/b/d...) must not take the keys typed here
  control.setAttribute("data-lm-suppress-shortcuts", "true");
  control.addEventListener("keydown", (event) => event.stopPropagation());
  return control;
}

function pending(model) {
  const card = el("div", { class: "mi-approval mi-pending", "data-lm-suppress-shortcuts": "true" });
  card.append(
    el(
      "div",
      { class: "mi-approval-head" },
      el("span", { class: "mi-icon mi-ask", html: ICONS.ask }),
      el("b", {}, model.get("tool")),
      " " + (model.get("reason") || "needs approval"),
    ),
  );
  const details = model.get("details") || {};
  for (const [key, value] of Object.entries(details)) {
    const text = String(value);
    if (text.includes("\n")) {
      // a diff or a listing: keep its lines
      card.append(el("div", { class: "mi-detail" }, el("span", { class: "mi-detail-key" }, key + ":")));
      card.append(el("pre", { class: "mi-detail-pre" }, text));
    } else {
      card.append(el("div", { class: "mi-detail" }, el("span", { class: "mi-detail-key" }, key + ": "), text));
    }
  }
  if (model.get("replaces")) {
    card.append(el("div", { class: "mi-replaces" }, "This ", codeText(model.get("replaces")), "."));
  }
  let editor = null;
  if (model.get("code_key")) {
    const lines = model.get("code").split("\n").length;
    editor = el("textarea", {
      class: "mi-editor",
      spellcheck: "false",
      rows: String(Math.max(3, Math.min(24, lines + 1))),
      "aria-label": "code to run (edit it before approving)",
    });
    editor.value = model.get("code");
    keepKeys(editor);
    card.append(el("label", { class: "mi-label" }, model.get("code_key") + " (edit it before approving if you like)"), editor);
  }
  if (model.get("arguments")) {
    card.append(el("pre", { class: "mi-arguments" }, model.get("arguments")));
  }
  const feedback = el("input", {
    class: "mi-feedback",
    type: "text",
    placeholder: "feedback for the agent (optional, sent with Reject)",
    "aria-label": "feedback for the agent",
  });
  keepKeys(feedback);
  const status = el("span", { class: "mi-sending" });
  const buttons = [
    ["approve", "Approve", "mi-approve", ICONS.ok],
    ["reject", "Reject", "mi-reject", ICONS.no],
    ["approve_all", "Approve all this session", "mi-approve-all", ICONS.ok],
  ].map(([decision, label, cls, icon]) => {
    const button = el("button", { class: "mi-button " + cls, type: "button" }, label);
    button.insertAdjacentHTML("beforeend", " " + icon);
    button.addEventListener("click", () => {
      model.send({
        event: "decide",
        decision,
        feedback: feedback.value,
        code: editor === null ? null : editor.value,
      });
      for (const control of [...buttonsRow.querySelectorAll("button"), feedback, editor]) {
        if (control) control.disabled = true;
      }
      status.textContent = "sent…";
    });
    return button;
  });
  const buttonsRow = el("div", { class: "mi-buttons" }, ...buttons, status);
  card.append(feedback, buttonsRow);
  return card;
}

function settled(model) {
  const state = model.get("state");
  const icon = state === "rejected" ? ICONS.no : state === "cancelled" ? ICONS.stop : ICONS.ok;
  const card = el(
    "div",
    { class: "mi-approval mi-settled mi-" + state },
    el("span", { class: "mi-icon", html: icon }),
    " ",
    el("span", { class: "mi-summary" }, model.get("summary")),
  );
  if (model.get("diff")) {
    card.append(el("details", { class: "mi-diff" }, el("summary", {}, "show the edit"), el("pre", {}, model.get("diff"))));
  }
  return card;
}

function render({ model, el: root }) {
  const draw = () => {
    root.replaceChildren(model.get("state") === "pending" ? pending(model) : settled(model));
  };
  model.on("change:state", draw);
  model.on("change:summary", draw);
  draw();
}

export default { render };
