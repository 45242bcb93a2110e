{
  "targets": [
    {
      "target_name": "hugepages",
      "sources": ["hugepages.c"],
      "conditions": [["OS!='linux'", {"type": "none", "sources!": ["hugepages.c"]}]]
    }
  ]
}
