<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CounterWindow</name>
    <message>
        <location filename="../calling/counter.py" line="146"/>
        <source>Call next</source>
        <translation>叫下一位</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="146"/>
        <source>Recall</source>
        <translation>重呼</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="147"/>
        <source>Start</source>
        <translation>开始办理</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="147"/>
        <source>Finish</source>
        <translation>办结</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="148"/>
        <source>No-show</source>
        <translation>过号</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="148"/>
        <source>Hold</source>
        <translation>挂起</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="149"/>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="150"/>
        <source>Resume</source>
        <translation>恢复服务</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="150"/>
        <source>Pause</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="151"/>
        <source>Call back</source>
        <translation>回呼</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="155"/>
        <source>Held tickets:</source>
        <translation>挂起的号：</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="156"/>
        <source>Transfer to:</source>
        <translation>转到业务：</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="157"/>
        <source>Counter caller</source>
        <translation>窗口呼叫器</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="183"/>
        <source> — paused</source>
        <translation> — 已暂停</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="187"/>
        <source>No ticket at this window</source>
        <translation>本窗口当前无号</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="191"/>
        <source>Waiting: %1</source>
        <translation>等候：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="195"/>
        <source>Called</source>
        <translation>已呼叫</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="195"/>
        <source>Serving</source>
        <translation>办理中</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="197"/>
        <source>recalled %1 of %2</source>
        <translation>已重呼 %1/%2 次</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="269"/>
        <source>reconnecting…</source>
        <translation>正在重连…</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="305"/>
        <source>Nobody is waiting for this window.</source>
        <translation>本窗口没有等候的号。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="307"/>
        <source>Called %1.</source>
        <translation>已呼叫 %1。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="318"/>
        <source>The hall server cannot be reached. Check the network and try again.</source>
        <translation>连不上大厅服务器，请检查网络后重试。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="321"/>
        <source>This window is paused. Resume it first.</source>
        <translation>本窗口已暂停，请先恢复服务。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="322"/>
        <source>Refused: %1</source>
        <translation>操作被拒绝：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="324"/>
        <source>Something went wrong: %1</source>
        <translation>出错了：%1</translation>
    </message>
</context>
<context>
    <name>HelpPanel</name>
    <message>
        <location filename="../calling/help_panel.py" line="91"/>
        <source>Kiosk %1 needs help</source>
        <translation>%1号自助机 请求协助</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="92"/>
        <source>I&apos;m going</source>
        <translation>我去处理</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="96"/>
        <source>More kiosks need help: %1</source>
        <translation>另有%1台自助机请求协助</translation>
    </message>
</context>
</TS>
