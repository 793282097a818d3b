<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActionsPage</name>
    <message>
        <location filename="../staff/actions_page.py" line="155"/>
        <source>Staff actions</source>
        <translation>工作人员操作</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="156"/>
        <source>Priority ticket</source>
        <translation>优先取号</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="157"/>
        <location filename="../staff/actions_page.py" line="170"/>
        <location filename="../staff/actions_page.py" line="171"/>
        <source>Service</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="157"/>
        <source>Priority</source>
        <translation>优先类别</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="158"/>
        <location filename="../staff/actions_page.py" line="164"/>
        <location filename="../staff/actions_page.py" line="172"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="160"/>
        <source>Issue and print</source>
        <translation>取号并打印</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="162"/>
        <source>Ticket</source>
        <translation>号票</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="163"/>
        <source>Number</source>
        <translation>号码</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="163"/>
        <location filename="../staff/actions_page.py" line="171"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="164"/>
        <source>Transfer to</source>
        <translation>转至</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="167"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="168"/>
        <source>Or place the citizen&apos;s ID card on the reader.</source>
        <translation>或将群众的身份证放到读卡器上。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="169"/>
        <location filename="../staff/actions_page.py" line="175"/>
        <source>Apply</source>
        <translation>执行</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="172"/>
        <source>Today&apos;s quota</source>
        <translation>今日号源</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="176"/>
        <source>Reprint</source>
        <translation>补打号票</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="176"/>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="177"/>
        <source>Transfer to another service</source>
        <translation>转到其他事项</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="178"/>
        <source>Requeue (missing materials)</source>
        <translation>补正回队（补齐材料）</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="178"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="179"/>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="179"/>
        <source>Change today&apos;s quota</source>
        <translation>修改今日号源</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="219"/>
        <source>Choose a reason…</source>
        <translation>请选择原因…</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="270"/>
        <source>Choose a reason first.</source>
        <translation>请先选择原因。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="277"/>
        <source>Staff mode is locked.</source>
        <translation>工作人员模式已锁定。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="280"/>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="301"/>
        <source>Refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="316"/>
        <source>No card read: for services that need an ID card, place the citizen&apos;s card first.</source>
        <translation>未读取证件：需要身份证的事项，请先放置群众的身份证。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="319"/>
        <source>For the card holder %1</source>
        <translation>为持卡人 %1 取号</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="327"/>
        <source>Ticket %1 issued and printed.</source>
        <translation>号票 %1 已取号并打印。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="329"/>
        <source>Ticket %1 issued but NOT printed: write the number down for the citizen.</source>
        <translation>号票 %1 已取号但未打印：请为群众记下号码。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="355"/>
        <source>No active ticket today for this card.</source>
        <translation>此证件今日没有有效号票。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="375"/>
        <source>%1 — service %2, %3, issued %4</source>
        <translation>%1 — 事项 %2，状态 %3，取号时间 %4</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="385"/>
        <source>Find a ticket first.</source>
        <translation>请先查找号票。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="403"/>
        <source>Done: %1 %2.</source>
        <translation>已完成：%1 %2。</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="420"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="420"/>
        <source>running</source>
        <translation>正常办理</translation>
    </message>
    <message>
        <location filename="../staff/actions_page.py" line="421"/>
        <source>Service %1 is %2, quota %3.</source>
        <translation>事项 %1 %2，号源 %3。</translation>
    </message>
</context>
<context>
    <name>AlertsPage</name>
    <message>
        <location filename="../staff/alerts_page.py" line="38"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="39"/>
        <source>No alerts: every device is working.</source>
        <translation>没有告警：所有设备工作正常。</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="55"/>
        <source>Printer out of paper: tickets are shown as e-tickets</source>
        <translation>打印机缺纸：号票以电子票显示</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="56"/>
        <source>Printer paper running low</source>
        <translation>打印纸即将用完</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="57"/>
        <source>Printer not answering: tickets are shown as e-tickets</source>
        <translation>打印机无响应：号票以电子票显示</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="58"/>
        <source>Printer fault: tickets are shown as e-tickets</source>
        <translation>打印机故障：号票以电子票显示</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="59"/>
        <source>ID card reader lost</source>
        <translation>身份证读卡器已断开</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="60"/>
        <source>Hall server unreachable: the kiosk issues offline tickets</source>
        <translation>连接不上大厅服务器：本机正在发离线号</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="61"/>
        <source>Offline tickets refused by the hall server: help these citizens at the guide desk</source>
        <translation>大厅服务器拒收了离线号：请在导办台为这些群众处理</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="63"/>
        <source>A citizen at this kiosk pressed &quot;call staff&quot;</source>
        <translation>本机有群众按了“呼叫工作人员”</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="64"/>
        <source>The kiosk cannot issue tickets: citizens see &quot;out of service&quot;</source>
        <translation>本机无法出票：群众看到“暂停服务”</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="76"/>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="76"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../staff/alerts_page.py" line="76"/>
        <source>Info</source>
        <translation>提示</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <location filename="../staff/devicewords.py" line="11"/>
        <source>Ticket printer</source>
        <translation>票据打印机</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="26"/>
        <source>gone: looking for it again</source>
        <translation>已断开，正在重新连接</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="12"/>
        <source>ID card reader</source>
        <translation>身份证读卡器</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="13"/>
        <source>LED window signs</source>
        <translation>LED 窗口屏</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="14"/>
        <source>Hall server</source>
        <translation>大厅服务器</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="18"/>
        <source>working</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="19"/>
        <source>configured, not used yet</source>
        <translation>已配置，尚未使用</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="20"/>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="21"/>
        <source>not configured</source>
        <translation>未配置</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="22"/>
        <location filename="../staff/devicewords.py" line="24"/>
        <source>not answering</source>
        <translation>无响应</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="23"/>
        <source>out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location filename="../staff/devicewords.py" line="25"/>
        <source>fault</source>
        <translation>故障</translation>
    </message>
</context>
<context>
    <name>DiagnosticsPage</name>
    <message>
        <location filename="../staff/diagnostics_page.py" line="78"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="79"/>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="79"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="80"/>
        <source>Offline outbox</source>
        <translation>离线待发</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="80"/>
        <source>Server latency</source>
        <translation>服务器延迟</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="81"/>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="84"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="85"/>
        <source>Export support bundle</source>
        <translation>导出技术支持包</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="105"/>
        <source>No device reported yet.</source>
        <translation>尚无设备状态。</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="116"/>
        <source>measuring…</source>
        <translation>正在测量…</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="119"/>
        <source>unreachable: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="124"/>
        <source>intact, %1 entries</source>
        <translation>完好，共 %1 条</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="126"/>
        <source>TAMPERED at line %1: %2</source>
        <translation>已被改动，第 %1 行：%2</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="148"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="150"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../staff/diagnostics_page.py" line="154"/>
        <source>Support bundle written: %1</source>
        <translation>技术支持包已写入：%1</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <location filename="../staff/pin.py" line="73"/>
        <source>Technician PIN</source>
        <translation>技术人员密码</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="73"/>
        <source>Staff PIN</source>
        <translation>工作人员密码</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="74"/>
        <source>Development PINs are active: set PIN hashes in kiosk.toml</source>
        <translation>正在使用开发密码：请在 kiosk.toml 中设置密码哈希</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="75"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="76"/>
        <source>Back</source>
        <translation>退格</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="77"/>
        <source>Enter</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="78"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="109"/>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message numerus="yes">
        <location filename="../staff/pin.py" line="118"/>
        <source>Too many wrong PINs. Try again in %n minute(s).</source>
        <translation>
            <numerusform>密码错误次数过多，请 %n 分钟后再试。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../staff/pin.py" line="120"/>
        <source>Wrong PIN</source>
        <translation>密码错误</translation>
    </message>
</context>
<context>
    <name>QueuePage</name>
    <message>
        <location filename="../staff/queue_page.py" line="66"/>
        <source>Queue</source>
        <translation>排队情况</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="67"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="68"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="70"/>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="70"/>
        <source>Service</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="70"/>
        <source>Waiting</source>
        <translation>等候人数</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="70"/>
        <source>Estimate (min)</source>
        <translation>预计等候（分钟）</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="71"/>
        <source>Open windows</source>
        <translation>开放窗口</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="71"/>
        <source>Issued / quota</source>
        <translation>已取 / 号源</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="71"/>
        <location filename="../staff/queue_page.py" line="72"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="72"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="73"/>
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="98"/>
        <source>Hall not reachable: %1</source>
        <translation>无法连接大厅：%1</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="110"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="112"/>
        <source>Open</source>
        <translation>开放</translation>
    </message>
    <message>
        <location filename="../staff/queue_page.py" line="114"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <location filename="../staff/reasons.py" line="12"/>
        <source>Elderly citizen</source>
        <translation>老年人</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="13"/>
        <source>Citizen with a disability</source>
        <translation>残疾人</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="14"/>
        <source>Serving soldier or veteran</source>
        <translation>现役军人或退役军人</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="15"/>
        <source>Pregnant citizen</source>
        <translation>孕妇</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="16"/>
        <source>Urgent case approved by the supervisor</source>
        <translation>经负责人批准的紧急情况</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="19"/>
        <source>Ticket jammed or torn</source>
        <translation>号票卡纸或撕坏</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="20"/>
        <source>Citizen lost the ticket</source>
        <translation>群众遗失号票</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="21"/>
        <source>Printing failed</source>
        <translation>打印失败</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="24"/>
        <source>Citizen left</source>
        <translation>群众已离开</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="25"/>
        <source>Duplicate ticket</source>
        <translation>重复取号</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="26"/>
        <source>Wrong service, new ticket issued</source>
        <translation>选错事项，已重新取号</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="29"/>
        <source>Wrong service chosen</source>
        <translation>选错事项</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="30"/>
        <source>Sent on by a window</source>
        <translation>窗口转办</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="33"/>
        <source>Came back with the missing materials</source>
        <translation>补齐材料后返回</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="34"/>
        <source>Citizen stepped away when called</source>
        <translation>叫号时群众暂时离开</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="37"/>
        <location filename="../staff/reasons.py" line="46"/>
        <source>Not enough staff</source>
        <translation>人手不足</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="38"/>
        <source>Business system down</source>
        <translation>业务系统故障</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="39"/>
        <source>Capacity reached for today</source>
        <translation>今日办理能力已满</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="42"/>
        <source>Back to normal</source>
        <translation>恢复正常</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="45"/>
        <source>High demand today</source>
        <translation>今日办事人数多</translation>
    </message>
    <message>
        <location filename="../staff/reasons.py" line="47"/>
        <source>Extra windows opened</source>
        <translation>增开窗口</translation>
    </message>
</context>
<context>
    <name>RefusedOfflineBox</name>
    <message>
        <location filename="../staff/refused_box.py" line="49"/>
        <source>Offline tickets the hall server refused: give each a new number (it keeps its place) and hand the citizen the new ticket.</source>
        <translation>大厅服务器拒收的离线号：为每张换一个新号（排队位置不变），并把新号票交给群众。</translation>
    </message>
    <message>
        <location filename="../staff/refused_box.py" line="51"/>
        <source>New number and print</source>
        <translation>换新号并打印</translation>
    </message>
    <message>
        <location filename="../staff/refused_box.py" line="81"/>
        <source>Working…</source>
        <translation>处理中…</translation>
    </message>
    <message>
        <location filename="../staff/refused_box.py" line="89"/>
        <source>New ticket %1 printed: give it to the citizen holding %2.</source>
        <translation>新号票 %1 已打印：请交给持 %2 号票的群众。</translation>
    </message>
    <message>
        <location filename="../staff/refused_box.py" line="90"/>
        <source>New ticket %1 NOT printed: write it down for the citizen holding %2.</source>
        <translation>新号票 %1 未能打印：请为持 %2 号票的群众写下新号。</translation>
    </message>
    <message>
        <location filename="../staff/refused_box.py" line="97"/>
        <source>Refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../staff/settings_page.py" line="160"/>
        <source>Device settings</source>
        <translation>设备设置</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="161"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="161"/>
        <source>ID card reader</source>
        <translation>身份证读卡器</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="162"/>
        <source>LED signs</source>
        <translation>LED 窗口屏</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="162"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="163"/>
        <source>Display</source>
        <translation>显示屏</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="163"/>
        <source>Hall server</source>
        <translation>大厅服务器</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="164"/>
        <source>Kiosk</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="167"/>
        <source>(restart)</source>
        <translation>（需重启）</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="172"/>
        <source>URI</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="172"/>
        <source>Protocol</source>
        <translation>协议</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="173"/>
        <source>Window=address</source>
        <translation>窗口号=屏地址</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="174"/>
        <source>Test print</source>
        <translation>测试打印</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="174"/>
        <source>Printer status</source>
        <translation>打印机状态</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="175"/>
        <source>Find devices</source>
        <translation>查找设备</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="175"/>
        <source>Test read</source>
        <translation>测试读卡</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="176"/>
        <source>Test signs</source>
        <translation>测试窗口屏</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="176"/>
        <source>Test announcement</source>
        <translation>测试播报</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="177"/>
        <source>List screens</source>
        <translation>列出显示器</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="177"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="180"/>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="181"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="182"/>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="202"/>
        <source>Cannot read the settings file: %1</source>
        <translation>无法读取配置文件：%1</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="244"/>
        <source>Nothing changed.</source>
        <translation>没有修改。</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="248"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="263"/>
        <source>Saved (previous file kept as %1).</source>
        <translation>已保存（原文件保留为 %1）。</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="267"/>
        <source>Restart the kiosk to apply: %1</source>
        <translation>重启终端后生效：%1</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="273"/>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="278"/>
        <source>Not saved: fix the fields marked in red.</source>
        <translation>未保存：请修改标红的项目。</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="302"/>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="332"/>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../staff/settings_page.py" line="343"/>
        <source>%n device(s) found.</source>
        <translation>
            <numerusform>找到 %n 个设备。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../staff/settings_page.py" line="358"/>
        <source>No screen found.</source>
        <translation>未找到显示器。</translation>
    </message>
</context>
<context>
    <name>StaffLanguage</name>
    <message>
        <location filename="../staff/lang.py" line="13"/>
        <source>en</source>
        <translation>zh</translation>
    </message>
</context>
<context>
    <name>StaffPanel</name>
    <message>
        <location filename="../staff/panel.py" line="113"/>
        <source>Staff mode</source>
        <translation>工作人员模式</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="114"/>
        <source>Development PINs are active: set PIN hashes in kiosk.toml</source>
        <translation>正在使用开发密码：请在 kiosk.toml 中设置密码哈希</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="115"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="116"/>
        <source>Back to kiosk</source>
        <translation>返回取号界面</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="122"/>
        <source>Guide staff</source>
        <translation>导服人员</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="122"/>
        <source>Technician</source>
        <translation>技术人员</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="125"/>
        <source>Queue and devices</source>
        <translation>排队与设备</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="125"/>
        <source>Actions</source>
        <translation>业务操作</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="126"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="126"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../staff/panel.py" line="127"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
</context>
</TS>
