"""Steps 1-3: LangChain chat on a hub -- a streamed LCEL chain, structured output, an agent."""

from __future__ import annotations

from pydantic import BaseModel, Field

from showcase import ui
from showcase.connect import CHAT_MODEL, Connection


class CityWeather(BaseModel):
    """Weather in a city, as a typed object."""

    city: str = Field(description="the city")
    degrees: int = Field(description="temperature in Celsius")
    summary: str = Field(description="one or two words, e.g. sunny")


CLASSES = {"electronhub": "ChatElectronHub", "chainhub": "ChatChainHub",
           "apihub": "ChatAPIHub", "tokenhub": "ChatTokenHub"}


def _chat_model(conn: Connection, *preferred: str):  # type: ignore[no-untyped-def]
    import langchain_hub

    hub = conn.pick(*preferred) or conn.hubs[0]
    cls = getattr(langchain_hub, CLASSES[hub])
    return cls(model=CHAT_MODEL[hub], **conn.settings(hub))


def streamed_chain(conn: Connection) -> None:
    """A prompt | model | parser chain, streamed token by token."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    llm = _chat_model(conn, "tokenhub", "electronhub")
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are concise."), ("human", "Write one sentence about {topic}.")]
    )
    chain = prompt | llm | StrOutputParser()
    name = f"{type(llm).__name__}(model={llm.model_name!r})"
    ui.say("chain", f"prompt | {name} | StrOutputParser()")
    print("  stream: ", end="", flush=True)
    pieces = []
    for piece in chain.stream({"topic": "the northern lights"}):
        pieces.append(piece)
        print(piece, end="", flush=True)
    print()
    text = "".join(pieces)
    assert text.strip(), "the chain streamed no text"
    ui.say("chunks", f"{len(pieces)} pieces, {len(text)} characters, same text as invoke: "
                     f"{chain.invoke({'topic': 'the northern lights'}) == text}")


def structured_output(conn: Connection) -> None:
    """``with_structured_output`` returns a validated pydantic object."""
    llm = _chat_model(conn, "electronhub", "tokenhub")
    report = llm.with_structured_output(CityWeather).invoke(
        "Report the weather: city='Oslo' degrees=21 summary='sunny'"
    )
    assert isinstance(report, CityWeather), f"got {type(report).__name__}"
    name = f"{type(llm).__name__}(model={llm.model_name!r})"
    ui.say("call", f"{name}.with_structured_output(CityWeather)")
    ui.table(["field", "value"], [(k, v) for k, v in report.model_dump().items()])


def agent_loop(conn: Connection) -> None:
    """``langchain.agents.create_agent`` runs a tool loop on a hub chat model."""
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
    from langchain_core.tools import tool

    @tool
    def get_weather(city: str) -> str:
        """Current weather in a city."""
        return f"18C and sunny in {city}"

    llm = _chat_model(conn, "apihub", "chainhub", "electronhub")
    agent = create_agent(llm, tools=[get_weather])
    question = HumanMessage("Use get_weather with city='Paris', then answer.")
    result = agent.invoke({"messages": [question]})
    rows = []
    for message in result["messages"]:
        if isinstance(message, HumanMessage):
            rows.append(("user", message.content))
        elif isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[0]
            rows.append(("model", f"calls {call['name']}({call['args']})"))
        elif isinstance(message, ToolMessage):
            rows.append(("tool", message.content))
        elif isinstance(message, AIMessage):
            rows.append(("model", message.content))
    name = f"{type(llm).__name__}(model={llm.model_name!r})"
    ui.say("agent", f"create_agent({name}, tools=[get_weather])")
    ui.table(["turn", "message"], rows)
    assert any(r[0] == "tool" for r in rows), "the agent never called its tool"
