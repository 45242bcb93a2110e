// To-do lists (HA's todo domain: the shopping list): items added and checked off by name. No HA MQTT
// platform: the state is published only.
import type { DeviceState } from "../../bus/types.js";
import { act, initialOf, joinAnd, str } from "./shared.js";
import type { DomainDefinition, IntentAct } from "./types.js";

function todoItems(s: DeviceState): Array<{ summary: string; status: string }> {
  return Array.isArray(s.items) ? (s.items as Array<{ summary: string; status: string }>) : [];
}
const item = (action: string): IntentAct => (s) => (str(s.item) ? act(action, { item: String(s.item).trim() }) : "the item is missing");

export const todo: DomainDefinition = {
  domain: "todo",
  capabilities: ["add_item", "complete_item"],
  spoken: "shopping list",
  intents: {
    HassShoppingListAddItem: item("add_item"),
    HassListAddItem: item("add_item"),
    HassShoppingListCompleteItem: item("complete_item"),
    HassListCompleteItem: item("complete_item"),
  },
  describe: (state) => {
    const open = todoItems(state).filter((i) => i.status === "needs_action").map((i) => i.summary);
    return open.length ? `listing ${joinAnd(open)}` : "empty";
  },
  sim: {
    initial: (d) => ({ items: [], ...initialOf(d) }),
    actions: {
      add_item: (s, p) => {
        const item = typeof p.item === "string" ? p.item.trim() : "";
        if (!item) return "the item is missing";
        return { ...s, items: [...todoItems(s), { summary: item, status: "needs_action" }] };
      },
      complete_item: (s, p) => {
        const item = typeof p.item === "string" ? p.item.trim().toLowerCase() : "";
        const items = todoItems(s);
        const hit = items.find((i) => i.summary.toLowerCase() === item && i.status === "needs_action");
        if (!hit) return `${item || "that"} is not on the list`;
        return { ...s, items: items.map((i) => (i === hit ? { ...i, status: "completed" } : i)) };
      },
    },
  },
};
