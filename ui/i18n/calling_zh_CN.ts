<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CaseAlertPanel</name>
    <message>
        <location filename="../calling/help_panel.py" line="213"/>
        <source>Case %1</source>
        <translation>整改案件 #%1</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="213"/>
        <source>Unresolved case %1</source>
        <translation>办不成事 #%1</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="214"/>
        <source>opened</source>
        <translation>新登记</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="214"/>
        <source>due soon</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="215"/>
        <source>overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="218"/>
        <source>window %1</source>
        <translation>窗口%1</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="220"/>
        <source>due %1</source>
        <translation>截止 %1</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="236"/>
        <source>Seen</source>
        <translation>知道了</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="240"/>
        <source>More case alerts: %1</source>
        <translation>另有%1条案件提醒</translation>
    </message>
</context>
<context>
    <name>CounterWindow</name>
    <message>
        <location filename="../calling/counter.py" line="177"/>
        <source>Call next</source>
        <translation>叫下一位</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="177"/>
        <source>Recall</source>
        <translation>重呼</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="178"/>
        <source>Start</source>
        <translation>开始办理</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="178"/>
        <source>Finish</source>
        <translation>办结</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="179"/>
        <source>No-show</source>
        <translation>过号</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="179"/>
        <source>Hold</source>
        <translation>挂起</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="180"/>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="181"/>
        <source>Resume</source>
        <translation>恢复服务</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="181"/>
        <source>Pause</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="182"/>
        <source>Call back</source>
        <translation>回呼</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="186"/>
        <source>Held tickets:</source>
        <translation>挂起的号：</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="189"/>
        <source>Transfer to:</source>
        <translation>转到业务：</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="190"/>
        <source>Counter caller</source>
        <translation>窗口呼叫器</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="217"/>
        <source> — paused</source>
        <translation> — 已暂停</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="224"/>
        <source>No ticket at this window</source>
        <translation>本窗口当前无号</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="228"/>
        <source>Waiting: %1</source>
        <translation>等候：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="232"/>
        <source>Called</source>
        <translation>已呼叫</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="232"/>
        <source>Serving</source>
        <translation>办理中</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="234"/>
        <source>recalled %1 of %2</source>
        <translation>已重呼 %1/%2 次</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="311"/>
        <source>reconnecting…</source>
        <translation>正在重连…</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="350"/>
        <source>Nobody is waiting for this window.</source>
        <translation>本窗口没有等候的号。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="352"/>
        <source>Called %1.</source>
        <translation>已呼叫 %1。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="404"/>
        <source>The hall server cannot be reached. Check the network and try again.</source>
        <translation>连不上大厅服务器，请检查网络后重试。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="407"/>
        <source>This window is paused. Resume it first.</source>
        <translation>本窗口已暂停，请先恢复服务。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="408"/>
        <source>Refused: %1</source>
        <translation>操作被拒绝：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="410"/>
        <source>Something went wrong: %1</source>
        <translation>出错了：%1</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="187"/>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="187"/>
        <source>Sign out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="220"/>
        <source>Clerk: %1 (%2)</source>
        <translation>工作人员：%1（工号%2）</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="221"/>
        <source>Nobody is signed in at this window.</source>
        <translation>本窗口尚无工作人员签到。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="360"/>
        <source>Sign in first: this hall calls only with a clerk signed in.</source>
        <translation>请先签到：本大厅须有工作人员签到才能叫号。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="385"/>
        <source>Signing in…</source>
        <translation>正在签到…</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="392"/>
        <source>Signed in: %1 (%2).</source>
        <translation>已签到：%1（工号%2）。</translation>
    </message>
    <message>
        <location filename="../calling/counter.py" line="395"/>
        <source>Signed out.</source>
        <translation>已签退。</translation>
    </message>
</context>
<context>
    <name>HelpPanel</name>
    <message>
        <location filename="../calling/help_panel.py" line="106"/>
        <source>Kiosk %1 needs help</source>
        <translation>%1号自助机 请求协助</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="107"/>
        <source>I&apos;m going</source>
        <translation>我去处理</translation>
    </message>
    <message>
        <location filename="../calling/help_panel.py" line="111"/>
        <source>More kiosks need help: %1</source>
        <translation>另有%1台自助机请求协助</translation>
    </message>
</context>
<context>
    <name>SignInPanel</name>
    <message>
        <location filename="../calling/counter_sign_in.py" line="70"/>
        <source>Sign in at this window</source>
        <translation>在本窗口签到</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="71"/>
        <source>Staff no. (工号)</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="72"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="73"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="75"/>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="76"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="105"/>
        <source>Type your staff number (工号) first.</source>
        <translation>请先输入工号。</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="109"/>
        <source>The PIN is 4 to 12 digits.</source>
        <translation>密码为4至12位数字。</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="127"/>
        <source>Staff number or PIN is wrong. Check both and try again.</source>
        <translation>工号或密码错误，请核对后重试。</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="130"/>
        <source>Too many wrong PINs: sign-in is locked for %1 more minute(s).</source>
        <translation>密码错误次数过多：签到已锁定，请%1分钟后再试。</translation>
    </message>
    <message>
        <location filename="../calling/counter_sign_in.py" line="133"/>
        <source>This staff number is disabled. Ask the hall&apos;s administrator.</source>
        <translation>该工号已停用，请联系大厅管理员。</translation>
    </message>
</context>
</TS>
