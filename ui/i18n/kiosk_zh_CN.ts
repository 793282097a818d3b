<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BookingScreen</name>
    <message>
        <location filename="../kiosk/steps.py" line="222"/>
        <source>Enter the check-in code from your phone, or your booking code</source>
        <translation>请输入手机上的签到码或预约码</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="223"/>
        <source>Enter your booking code</source>
        <translation>请输入预约码</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="225"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="226"/>
        <source>Check in</source>
        <translation>预约签到</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="226"/>
        <source>Check in with this code</source>
        <translation>确认签到</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <location filename="../kiosk/results.py" line="150"/>
        <source>Done (back to the start in {s} s)</source>
        <translation>完成（{s} 秒后返回首页）</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="160"/>
        <source>Please photograph this e-ticket</source>
        <translation>请拍下这张电子票</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="163"/>
        <source>The ticket could not be printed.</source>
        <translation>排队票未能打印。</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="164"/>
        <source>Your number is valid; staff have been told.</source>
        <translation>您的号码依然有效，已通知工作人员。</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="166"/>
        <source>Your number has been reprinted</source>
        <translation>已为您重新打印排队票</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="167"/>
        <source>Please take your ticket</source>
        <translation>请取走您的排队票</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="171"/>
        <source>Go to: {windows}</source>
        <translation>办理窗口：{windows}</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="172"/>
        <source>People ahead of you: {n}</source>
        <translation>您前面还有：{n} 人</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="185"/>
        <source>Texts will be sent to {phone}</source>
        <translation>将发短信到 {phone}</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="189"/>
        <source>Text me before my turn</source>
        <translation>短信提醒</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="218"/>
        <source>Estimated wait: about {m} min</source>
        <translation>预计等候：约 {m} 分钟</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="216"/>
        <source>Estimated wait: now</source>
        <translation>预计等候：马上</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="214"/>
        <source>Estimated wait: not known</source>
        <translation>预计等候：暂无法估算</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="180"/>
        <source>This QR code is your ticket</source>
        <translation>此二维码即您的排队票</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="181"/>
        <source>Scan to follow your place in the queue</source>
        <translation>扫码随时查看排队进度</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="222"/>
        <source>Phone ticket checked in: you keep the place of your booked time.</source>
        <translation>线上取号已签到：按您预约的时间排队。</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="224"/>
        <source>Appointment checked in: you will be called first.</source>
        <translation>预约已签到，将优先叫号。</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="227"/>
        <source>Priority: {name}</source>
        <translation>优先类别：{name}</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../kiosk/home.py" line="114"/>
        <source>Please choose a service</source>
        <translation>请选择办理事项</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="124"/>
        <source>Printer being fixed: your number is shown on screen, please photograph it.</source>
        <translation>打印机维修中：号码将显示在屏幕上，请拍照保存。</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="125"/>
        <source>Standard mode</source>
        <translation>标准模式</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="126"/>
        <source>Elderly mode: large text</source>
        <translation>长者模式（大字）</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="127"/>
        <source>Previous</source>
        <translation>上一页</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="128"/>
        <source>Next</source>
        <translation>下一页</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <location filename="../kiosk/steps.py" line="130"/>
        <source>Please place your ID card on the reader</source>
        <translation>请将身份证放在读卡区</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="133"/>
        <source>This service needs your ID card (real-name ticket).</source>
        <translation>本事项须刷身份证实名取号。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="135"/>
        <source>Your ID card is optional here: with it, an appointment is checked in and senior citizens may queue with priority.</source>
        <translation>本事项可不刷身份证；刷证可自动签到预约，老年人可优先排队。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="139"/>
        <source>Took a number on your phone? Place your ID card, or enter the check-in code.</source>
        <translation>已在手机上取号？请放置身份证，或输入签到码。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="148"/>
        <source>I have a code from my phone</source>
        <translation>我有手机签到码</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="157"/>
        <source>The ID card reader cannot be used now. Please ask the staff at the help desk, who can give you a ticket.</source>
        <translation>身份证读卡器暂时无法使用，请到导服台由工作人员为您取号。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="160"/>
        <source>The ID card reader cannot be used now. Please use your booking code, or take a number without the card.</source>
        <translation>身份证读卡器暂时无法使用，请使用预约码，或不刷证取号。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="162"/>
        <source>The ID card reader cannot be used now. You can still take a number without it.</source>
        <translation>身份证读卡器暂时无法使用，您仍可不刷证取号。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="147"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="149"/>
        <source>I have a booking code</source>
        <translation>我有预约码</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="150"/>
        <source>Get a ticket without ID card</source>
        <translation>不刷证直接取号</translation>
    </message>
</context>
<context>
    <name>KioskText</name>
    <message>
        <location filename="../kiosk/texts.py" line="25"/>
        <source>{n} waiting</source>
        <translation>等候 {n} 人</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="28"/>
        <source>about {m} min</source>
        <translation>约 {m} 分钟</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="81"/>
        <source>This service is not taking tickets now</source>
        <translation>该事项暂不能取号</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="83"/>
        <source>Today&apos;s tickets are all taken</source>
        <translation>今日号已取完</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="49"/>
        <location filename="../kiosk/texts.py" line="85"/>
        <source>You already have a ticket</source>
        <translation>您已取过号</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="41"/>
        <source>Check-in needs the queue system</source>
        <translation>签到需要连接排队系统</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="43"/>
        <source>Your phone ticket has lapsed</source>
        <translation>您的线上号已过期</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="45"/>
        <source>Too early to check in</source>
        <translation>还未到签到时间</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="47"/>
        <source>This phone ticket is not for today</source>
        <translation>此线上号不是今天的</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="50"/>
        <source>Check-in code not found</source>
        <translation>未找到该签到码</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="56"/>
        <source>Checking in a ticket taken on a phone needs the hall&apos;s queue system, which cannot be reached right now. You can take an ordinary ticket instead: touch the button below.</source>
        <translation>线上取号签到需要连接大厅排队系统，目前暂时无法连接。您可以改取普通号：请点击下方按钮。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="60"/>
        <source>It was not checked in within the time allowed after your booked time. Please take a new ticket: touch the button below.</source>
        <translation>未在预约时间后规定的时间内签到。请重新取号：点击下方按钮。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="63"/>
        <source>Your phone ticket can be checked in from {opens}. Please come back then.</source>
        <translation>您的线上号从 {opens} 起可以签到，请届时再来。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="66"/>
        <source>It was taken for another day. Please take an ordinary ticket for today: touch the button below.</source>
        <translation>此号是其他日期取的。请重新取今天的号：点击下方按钮。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="69"/>
        <source>Your phone ticket is already in the queue and its ticket was used. Please ask the staff at the help desk.</source>
        <translation>您的线上号已签到，号票已使用。请到咨询台询问工作人员。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="71"/>
        <source>We could not find this check-in code for this service today. Please check the code on your phone, or take an ordinary ticket.</source>
        <translation>未找到今天该事项的这个签到码。请核对手机上的签到码，或改取普通号。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="87"/>
        <source>Not yet time for your appointment</source>
        <translation>不在预约签到时间内</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="89"/>
        <source>Booking code not found</source>
        <translation>未找到该预约</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="90"/>
        <source>Sorry, this did not work</source>
        <translation>抱歉，未能办理</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="101"/>
        <source>Please choose another service or come back later.</source>
        <translation>请选择其他事项或稍后再来。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="104"/>
        <source>All of today&apos;s numbers for this service have been given out. Please come back on the next working day.</source>
        <translation>该事项今日号源已全部发放，请下一个工作日再来。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="109"/>
        <source>Each person may hold one ticket per service. Your number is {number}. Touch the button below to print it again.</source>
        <translation>同一事项每人只能取一个号。您的号码是 {number}，点击下方按钮可重新打印。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="112"/>
        <source>This booking has already been checked in. Please wait to be called.</source>
        <translation>该预约已签到，请留意叫号。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="115"/>
        <source>Your appointment can be checked in between {opens} and {closes}.</source>
        <translation>您的预约可在 {opens} 至 {closes} 之间签到。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="119"/>
        <source>We could not find this booking code for this service today. Please check the code, or ask the staff at the help desk.</source>
        <translation>未找到该事项今日的此预约码，请核对后重新输入，或到导服台咨询。</translation>
    </message>
    <message>
        <location filename="../kiosk/texts.py" line="121"/>
        <source>Please try again, or ask the staff at the help desk.</source>
        <translation>请重试，或到导服台请工作人员帮助。</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../kiosk/window.py" line="326"/>
        <source>Staff called ✓</source>
        <translation>已呼叫工作人员 ✓</translation>
    </message>
    <message>
        <location filename="../kiosk/window.py" line="327"/>
        <source>Call staff</source>
        <translation>呼叫工作人员</translation>
    </message>
    <message>
        <location filename="../kiosk/window.py" line="328"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
</context>
<context>
    <name>MaterialsScreen</name>
    <message>
        <location filename="../kiosk/steps.py" line="41"/>
        <source>Please have these materials ready</source>
        <translation>请备齐以下材料</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="44"/>
        <source>To finish in one visit, bring:</source>
        <translation>为确保一次办成，请携带：</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="45"/>
        <source>No documents are needed for this service.</source>
        <translation>本事项无需携带材料。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="49"/>
        <source>Handled together at one window:</source>
        <translation>以下事项在同一窗口一并办理：</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="53"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="54"/>
        <source>I have them, continue</source>
        <translation>材料已备齐，继续</translation>
    </message>
</context>
<context>
    <name>MessageScreen</name>
    <message>
        <location filename="../kiosk/results.py" line="273"/>
        <source>Service temporarily unavailable</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="274"/>
        <source>The kiosk cannot reach the queue system right now. It will come back by itself in a moment; you can also ask the staff at the help desk.</source>
        <translation>取号机暂时无法连接排队系统，稍后将自动恢复；您也可以到导服台请工作人员帮助。</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="284"/>
        <source>Back to the start</source>
        <translation>返回首页</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="285"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="286"/>
        <source>Print my ticket again</source>
        <translation>重新打印我的号票</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="287"/>
        <source>Take a new ticket</source>
        <translation>重新取号</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="288"/>
        <source>Take an ordinary ticket</source>
        <translation>改取普通号</translation>
    </message>
</context>
<context>
    <name>PrintingScreen</name>
    <message>
        <location filename="../kiosk/results.py" line="42"/>
        <source>Getting your number…</source>
        <translation>正在取号……</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="43"/>
        <source>Printing your ticket…</source>
        <translation>正在打印排队票……</translation>
    </message>
    <message>
        <location filename="../kiosk/results.py" line="44"/>
        <source>Please wait a moment.</source>
        <translation>请稍候。</translation>
    </message>
</context>
<context>
    <name>PriorityScreen</name>
    <message>
        <location filename="../kiosk/steps.py" line="249"/>
        <source>Priority for senior citizens</source>
        <translation>老年人优先</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="250"/>
        <source>You are {age} or older, so you may queue in the priority line for senior citizens.</source>
        <translation>您已年满 {age} 周岁，可以使用老年人优先通道排队。</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="252"/>
        <source>No, normal queue</source>
        <translation>不用，普通排队</translation>
    </message>
    <message>
        <location filename="../kiosk/steps.py" line="253"/>
        <source>Yes, use priority</source>
        <translation>好的，优先排队</translation>
    </message>
</context>
<context>
    <name>RatingRow</name>
    <message>
        <location filename="../kiosk/rating_row.py" line="73"/>
        <source>Thank you for your rating!</source>
        <translation>感谢您的评价！</translation>
    </message>
    <message>
        <location filename="../kiosk/rating_row.py" line="74"/>
        <source>How was this self-service? (optional)</source>
        <translation>请为本次自助服务评价（可不评）</translation>
    </message>
</context>
<context>
    <name>SmsScreen</name>
    <message>
        <location filename="../kiosk/sms.py" line="142"/>
        <source>Text reminders cannot be set up right now. Please scan the QR code on your ticket and set them up on your phone.</source>
        <translation>暂时无法登记短信提醒，请扫码在手机上登记。</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="145"/>
        <source>This ticket is finished: there is nothing left to send you.</source>
        <translation>这张号已经结束，不再发送短信。</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="147"/>
        <source>The hall does not know this ticket yet. Please scan the QR code on your ticket and set the texts up on your phone later.</source>
        <translation>大厅系统中暂时还没有这张号，请稍后扫码在手机上登记短信提醒。</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="149"/>
        <source>The hall did not take the number: {reason}</source>
        <translation>短信提醒未能登记：{reason}</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="155"/>
        <source>Your mobile number for text reminders</source>
        <translation>请输入接收短信提醒的手机号码</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="156"/>
        <source>You get one text when {n} people are ahead of you and one when it is your turn; the number is deleted when your visit is over.</source>
        <translation>前面还剩 {n} 人和轮到您时各发一条短信，办结后号码即删除。</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="161"/>
        <source>A mobile number has 11 digits and starts with 13 to 19. Please check it.</source>
        <translation>手机号码是以 13 至 19 开头的 11 位数字，请核对。</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="168"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="169"/>
        <source>Sending…</source>
        <translation>正在登记…</translation>
    </message>
    <message>
        <location filename="../kiosk/sms.py" line="169"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
</context>
</TS>
