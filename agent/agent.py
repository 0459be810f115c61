"""A sample Strands agent for Bedrock AgentCore Runtime.

AgentCore extracts the code zip, runs `python agent.py` as a non-root user and expects `GET /ping`
to answer within about 30 seconds. So importing this module does nothing heavy: the Strands agent
(and the model client behind it) is created on the first invocation.
"""

import logging
import os
import sys
import threading

from bedrock_agentcore.runtime import BedrockAgentCoreApp

# The runtime starts `python agent.py` without `-u`: make every print and log line reach the
# logs at once instead of sitting in a buffer until the container dies.
sys.stdout.reconfigure(line_buffering=True, write_through=True)
sys.stderr.reconfigure(line_buffering=True, write_through=True)
logging.basicConfig(stream=sys.stdout, level=os.environ.get("LOG_LEVEL", "INFO"),
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("agent")

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT_FILE = os.path.join(HERE, "system_prompt.txt")
FALLBACK_PROMPT = "You are a helpful, concise assistant. Answer in a few sentences."

app = BedrockAgentCoreApp()

_agent = None
_agent_lock = threading.Lock()


def load_system_prompt(path=PROMPT_FILE):
    """The prompt packaged next to this file, or a generic one when it is missing or empty."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
    except OSError as error:
        log.warning("no system prompt at %s (%s); using the fallback", path, error.strerror)
        return FALLBACK_PROMPT
    return text or FALLBACK_PROMPT


def get_agent():
    """The Strands agent, created once, on first use, whichever request thread gets here first."""
    global _agent
    if _agent is None:
        with _agent_lock:
            if _agent is None:
                from strands import Agent  # heavy: model clients, boto3; kept out of start-up

                model = os.environ.get("MODEL_ID")
                _agent = Agent(model=model, system_prompt=load_system_prompt(), callback_handler=None)
                log.info("agent created (model %s)", model or "Strands default")
    return _agent


@app.entrypoint
def invoke(payload):
    """`POST /invocations` with `{"prompt": "..."}`; answers `{"result": "..."}`."""
    prompt = (payload or {}).get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return {"error": 'send a JSON body like {"prompt": "Tell me a joke"}'}
    try:
        result = get_agent()(prompt)
    except Exception as error:  # the caller gets a reason, the log gets the traceback
        log.exception("invocation failed")
        return {"error": f"the model call failed: {type(error).__name__}: {error}"}
    return {"result": str(result)}


if __name__ == "__main__":
    # AgentCore listens on 8080; PORT lets a local check run beside other services.
    app.run(port=int(os.environ.get("PORT", "8080")))
