<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CounterWindow</name>
    <message>
        <location filename="../calling/counter.py" line="128"/>
        <source>Call next</source>
        <translation>叫下一位</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="128"/>
        <source>Recall</source>
        <translation>重呼</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="129"/>
        <source>Start</source>
        <translation>开始办理</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="129"/>
        <source>Finish</source>
        <translation>办结</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="130"/>
        <source>No-show</source>
        <translation>过号</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="130"/>
        <source>Hold</source>
        <translation>挂起</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="131"/>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="132"/>
        <source>Resume</source>
        <translation>恢复服务</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="132"/>
        <source>Pause</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="133"/>
        <source>Call back</source>
        <translation>回呼</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="137"/>
        <source>Held tickets:</source>
        <translation>挂起的号：</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="138"/>
        <source>Transfer to:</source>
        <translation>转到业务：</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="139"/>
        <source>Counter caller</source>
        <translation>窗口呼叫器</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="164"/>
        <source> — paused</source>
        <translation> — 已暂停</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="168"/>
        <source>No ticket at this window</source>
        <translation>本窗口当前无号</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="172"/>
        <source>Waiting: %1</source>
        <translation>等候：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="176"/>
        <source>Called</source>
        <translation>已呼叫</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="176"/>
        <source>Serving</source>
        <translation>办理中</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="178"/>
        <source>recalled %1 of %2</source>
        <translation>已重呼 %1/%2 次</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="245"/>
        <source>reconnecting…</source>
        <translation>正在重连…</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="281"/>
        <source>Nobody is waiting for this window.</source>
        <translation>本窗口没有等候的号。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="283"/>
        <source>Called %1.</source>
        <translation>已呼叫 %1。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="294"/>
        <source>The hall server cannot be reached. Check the network and try again.</source>
        <translation>连不上大厅服务器，请检查网络后重试。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="297"/>
        <source>This window is paused. Resume it first.</source>
        <translation>本窗口已暂停，请先恢复服务。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="298"/>
        <source>Refused: %1</source>
        <translation>操作被拒绝：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="300"/>
        <source>Something went wrong: %1</source>
        <translation>出错了：%1</translation>
    </message>
</context>
</TS>
