// The message box of `%intern panel` (an anywidget view). Send (or Enter) sends the text exactly
// as it is on screen in one message; Shift+Enter adds a newline. Nothing waits for state sync.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  children.forEach((child) => node.append(child));
  return node;
}

function render({ model, el: root }) {
  const box = el("textarea", {
    class: "mi-chat-box",
    rows: "3",
    placeholder: "Message ML Intern (Enter sends, Shift+Enter adds a line)",
    "aria-label": "message to ML Intern",
    "data-lm-suppress-shortcuts": "true",
  });
  const send = el("button", { class: "mi-button mi-approve", type: "button" }, "Send");
  const stop = el("button", { class: "mi-button mi-approve-all", type: "button" }, "Stop");
  const exportButton = el("button", { class: "mi-button mi-approve-all", type: "button" }, "Export");
  const status = el("span", { class: "mi-chat-status" });
  const submit = () => {
    const text = box.value;
    if (!text.trim() || model.get("busy")) return;
    model.send({ event: "send", text });
    box.value = "";
  };
  box.addEventListener("keydown", (event) => {
    event.stopPropagation(); // JupyterLab's notebook shortcuts must not take these keys
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
  });
  send.addEventListener("click", submit);
  stop.addEventListener("click", () => model.send({ event: "stop" }));
  exportButton.addEventListener("click", () => model.send({ event: "export" }));
  const draw = () => {
    send.disabled = model.get("busy");
    status.textContent = model.get("status");
  };
  model.on("change:busy", draw);
  model.on("change:status", draw);
  draw();
  root.replaceChildren(el("div", { class: "mi-chat-input" }, box, el("div", { class: "mi-buttons" }, send, stop, exportButton, status)));
}

export default { render };
