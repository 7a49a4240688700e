from django.http import HttpResponse

PAGE = """<!doctype html><title>Drayman chat</title>
<ul id=log></ul><form id=f><input id=m autocomplete=off><button>Send</button></form>
<script>
const ws = new WebSocket(`ws://${location.host}/ws/chat/lobby/`);
ws.onmessage = (e) => { const d = JSON.parse(e.data); if (d.type === "message") {
  const li = document.createElement("li"); li.textContent = d.text; log.appendChild(li); } };
f.onsubmit = (e) => { e.preventDefault(); ws.send(m.value); m.value = ""; };
</script>"""


def index(request):
    return HttpResponse(PAGE)
